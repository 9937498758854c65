/**
 * What the optional fields of a shard record (schema.ts, stored flat as
 * etcd holds them) say about the shard's state, named once so that readers
 * do not each re-derive it from the fields:
 *
 *   open        no endingSequenceNumber: not (yet) closed by a reshard
 *   closing     a reshard round closes it: its leader admits nothing more
 *   sealed      its leader wrote the log end (sealedLogEnd)
 *   handing over  a planned leadership change is in progress (handoverTo)
 *   moving a replica  rebalanceFrom names the replica being replaced
 *   expired     closed before the stream's retention horizon: every record
 *               it held has expired (Kinesis lists it no more; the
 *               controller deletes its record, and the nodes its replicas)
 *
 * The controller closes a shard in this order: closing, then sealed (by
 * the leader), then closed (endingSequenceNumber, by the controller).
 */
import type { ShardRecord } from './schema';

type StateFields = Partial<Pick<ShardRecord, 'endingSequenceNumber' | 'closedMs' | 'closing' | 'sealedLogEnd' | 'handoverTo' | 'rebalanceFrom'>>;

/** Not closed by a split or merge (it may be closing). */
export function isOpenShard(s: StateFields): boolean {
  return s.endingSequenceNumber === undefined;
}

/** Closed by a split or merge: it has its ending sequence number. */
export function isClosedShard<S extends StateFields>(s: S): s is S & { readonly endingSequenceNumber: string } {
  return s.endingSequenceNumber !== undefined;
}

/**
 * Closed before `horizonMs` (the stream's retention horizon,
 * retentionHorizonMs): its last record arrived before the shard closed, so
 * none is retained. A closed shard without closedMs (closed before the
 * field existed) never counts as expired.
 */
export function isExpiredShard(s: StateFields, horizonMs: number): boolean {
  return isClosedShard(s) && s.closedMs !== undefined && s.closedMs < horizonMs;
}

/** A reshard round is closing it (from then on its leader appends nothing). */
export function isClosing(s: StateFields): boolean {
  return s.closing === true;
}

/** Its leader sealed the log: nothing at or past sealedLogEnd is ever acknowledged. */
export function isSealed<S extends StateFields>(s: S): s is S & { readonly sealedLogEnd: number } {
  return s.sealedLogEnd !== undefined;
}

/** Closing, and its leader has not sealed the log yet. */
export function awaitsSeal(s: StateFields): boolean {
  return isClosing(s) && !isSealed(s);
}

/** A planned leadership change (handoverTo) is in progress. */
export function isHandingOver(s: StateFields): boolean {
  return s.handoverTo !== undefined;
}

/** Open and in no transition: not closing, no handover, no replica being moved. */
export function isSettled(s: StateFields): boolean {
  return isOpenShard(s) && !isClosing(s) && !isHandingOver(s) && s.rebalanceFrom === undefined;
}

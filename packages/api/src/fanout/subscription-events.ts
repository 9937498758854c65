/**
 * What a SubscribeToShardEvent says, as pure functions of the subscription's
 * position (no clock of its own, no I/O): the records, the
 * ContinuationSequenceNumber, MillisBehindLatest and, at the end of a closed
 * shard, the ChildShards.
 *
 * `next` is the offset of the next record the client would get. The
 * continuation is the sequence number of the last record the subscription
 * sent (so AFTER_SEQUENCE_NUMBER, what the KCL resubscribes with, continues
 * at `next`); before it sent any, it is the position number of `next`
 * (core sequence-number.ts), which AT_ and AFTER_SEQUENCE_NUMBER both start
 * at. At the end of a closed shard the continuation is absent (null) and
 * ChildShards lists every child with its parents: exactly then and only
 * then. Records are shown as every read path shows them
 * (streams/client-records.ts: numbered, opened, expired ones left out).
 */
import { decodeSequenceNumber } from '@shoal/core';
import { isClosedShard, isSealed, type ShardRecord } from '@shoal/metadata';
import type { RecordOut__Output } from '@shoal/wire';
import type { OperationOutput } from '../operation';
import type { Codec } from '../protocol/codec';
import type { RecordPresenter } from '../streams/client-records';
import { eventRecords } from './event-records';

/** The last record a subscription sent: where its continuation stands. */
export interface SentRecord {
  readonly offset: number;
  readonly arrivalMs: number;
}

/** The ContinuationSequenceNumber of a subscription whose next record is at `next`. */
function continuationSequenceNumber(presenter: RecordPresenter, next: number, lastSent: SentRecord | undefined): string {
  return lastSent !== undefined && lastSent.offset === next - 1
    ? presenter.sequenceNumber(lastSent.offset, lastSent.arrivalMs)
    : presenter.positionNumber(next);
}

/** Data + partition key bytes of a record (what the 2 MiB/s and the event bound count). */
export function recordBytes(r: RecordOut__Output): number {
  return r.data.length + Buffer.byteLength(r.partition_key, 'utf8');
}

/**
 * MillisBehindLatest after an event: 0 once the client has every committed
 * record (`next` >= the high watermark), else how old the last record it got
 * is (or the oldest it is waiting for, when it got none yet).
 */
export function millisBehindLatest(next: number, highWatermark: number, nowMs: number, lastArrivalMs: number | undefined): number {
  if (next >= highWatermark || lastArrivalMs === undefined) return 0;
  return Math.max(0, nowMs - lastArrivalMs);
}

/** A SubscribeToShardEvent carrying `records` (maybe none) that leaves the client at `next`, for `codec`. */
export function recordsEvent(
  codec: Codec, presenter: RecordPresenter, records: readonly RecordOut__Output[], next: number, lastSent: SentRecord | undefined, millisBehind: number,
): OperationOutput {
  return {
    Records: eventRecords(codec, presenter, records),
    ContinuationSequenceNumber: continuationSequenceNumber(presenter, next, lastSent),
    MillisBehindLatest: millisBehind,
  };
}

/** Offset where a closed shard's records end (exclusive); undefined while the shard is open. */
export function shardEndOffset(shard: ShardRecord): number | undefined {
  if (!isClosedShard(shard)) return undefined;
  // sealedLogEnd (resharding) is the exact end, also for a parent that holds no record at all.
  if (isSealed(shard)) return shard.sealedLogEnd;
  const ending = decodeSequenceNumber(shard.endingSequenceNumber);
  return ending ? Number(ending.offset) + 1 : undefined;
}

/** The children of a closed shard (the shards that name it as a parent). */
export function childShardsOf(shards: readonly ShardRecord[], parentShardId: string): ShardRecord[] {
  return shards.filter((s) => s.parentShardId === parentShardId || s.adjacentParentShardId === parentShardId);
}

/** The last event of a closed shard's subscription: no continuation, every child with its parents. */
export function shardEndEvent(children: readonly ShardRecord[]): OperationOutput {
  return {
    Records: [],
    MillisBehindLatest: 0,
    ChildShards: children.map((c) => ({
      ShardId: c.shardId,
      ParentShards: [c.parentShardId, c.adjacentParentShardId].filter((p): p is string => p !== undefined),
      HashKeyRange: { StartingHashKey: c.hashKeyStart, EndingHashKey: c.hashKeyEnd },
    })),
  };
}

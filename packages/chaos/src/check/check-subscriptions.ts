/**
 * Enhanced fan-out (subscriptions.jsonl): every acknowledged record of a
 * shard reaches every subscription session reading that shard, once, in
 * order. A session (fanout-format.ts) reads a shard from TRIM_HORIZON
 * across SubscribeToShard calls chained by their continuations, so over
 * the whole session:
 *
 * - records come in strictly increasing sequence numbers
 *   (subscription-out-of-order: a duplicate or a step back);
 * - no record known to be in the shard (read or acknowledged anywhere) lies
 *   before the first one, between two consecutive ones, or after the last
 *   one of a session that reached the shard's end (subscription-skipped-record);
 * - every record acknowledged SUBSCRIPTION_DELIVERY_GRACE_MS before the
 *   session's last event was delivered (subscription-missed-record; this
 *   covers the tail that the skip rule cannot see);
 * - each event's continuation is the sequence number of its last record
 *   when it has records, it is absent exactly when ChildShards is non-empty,
 *   and ChildShards names the shard's children (as the snapshots show
 *   them) each with its parents (subscription-bad-continuation).
 * Sessions stop retrying only when the subscriber stops, so none is excused
 * for having ended with an error. Runs without subscribers are skipped.
 */
import { SUBSCRIPTION_DELIVERY_GRACE_MS } from '../chaos-limits';
import type { SubscriptionEvent } from '../history/fanout-format';
import type { HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

export function checkSubscriptions(index: HistoryIndex, sink: ViolationSink): { sessions: number; events: number } | undefined {
  const lines = index.history.subscriptions;
  if (!lines) return undefined;
  const sessions = new Map<string, SubscriptionEvent[]>();
  for (const line of lines) {
    if (line.type !== 'sub-event') continue;
    const list = sessions.get(line.session);
    if (list) list.push(line); else sessions.set(line.session, [line]);
  }
  let events = 0;
  for (const [session, list] of sessions) {
    events += list.length;
    checkSession(index, sink, session, list);
  }
  return { sessions: sessions.size, events };
}

function checkSession(index: HistoryIndex, sink: ViolationSink, session: string, list: readonly SubscriptionEvent[]): void {
  const shardId = list[0]!.shardId;
  let last: bigint | null = null;
  let lastEvent: SubscriptionEvent | undefined;
  const delivered = new Set<string>();
  let ended = false;
  for (const e of list) {
    const context = lastEvent ? [lastEvent, e] : [e];
    for (const r of e.records) {
      const seq = BigInt(r.seq);
      if (last !== null && seq <= last) {
        sink.add('subscription-out-of-order', `${session} got ${shardId}/${r.seq} after ${last}`, context);
        continue;
      }
      const skipped = index.knownBetween(shardId, last, seq);
      if (skipped !== undefined) sink.add('subscription-skipped-record', `${session} got ${shardId}/${r.seq} after ${last ?? 'the start'}, passing over ${skipped}`, context);
      last = seq;
      delivered.add(r.seq);
    }
    checkContinuation(index, sink, session, e);
    if (e.childShards && e.childShards.length > 0) ended = true;
    lastEvent = e;
  }
  if (ended) {
    const skipped = index.knownBetween(shardId, last, null);
    if (skipped !== undefined) sink.add('subscription-skipped-record', `${session} reached the end of ${shardId} after ${last ?? 'the start'}, but ${skipped} is in it`, [lastEvent]);
  }
  const dueBy = lastEvent!.atMs - SUBSCRIPTION_DELIVERY_GRACE_MS;
  for (const ack of index.acks) {
    if (ack.shardId !== shardId || ack.endMs > dueBy || delivered.has(ack.seq)) continue;
    sink.add('subscription-missed-record', `${session} never got ${shardId}/${ack.seq} (${ack.value}), acknowledged at ${ack.endMs}, its last event at ${lastEvent!.atMs}`, [ack, lastEvent]);
  }
}

function checkContinuation(index: HistoryIndex, sink: ViolationSink, session: string, e: SubscriptionEvent): void {
  const children = e.childShards ?? [];
  const lastRecord = e.records[e.records.length - 1];
  if ((e.continuation === undefined) !== (children.length > 0)) {
    sink.add('subscription-bad-continuation', `${session}: continuation ${e.continuation ?? 'null'} with ${children.length} child shards`, [e]);
    return;
  }
  if (e.continuation !== undefined && lastRecord && e.continuation !== lastRecord.seq) {
    sink.add('subscription-bad-continuation', `${session}: continuation ${e.continuation} after record ${lastRecord.seq}`, [e]);
  }
  if (children.length === 0) return;
  const expected = [...index.shardInfo.values()].filter((s) => s.parentShardId === e.shardId || s.adjacentParentShardId === e.shardId);
  const named = new Map(children.map((c) => [c.shardId, c.parentShards]));
  for (const child of expected) {
    const parents = [child.parentShardId, child.adjacentParentShardId].filter((p): p is string => p !== undefined).sort();
    const got = named.get(child.shardId);
    if (!got || [...got].sort().join() !== parents.join()) {
      sink.add('subscription-bad-continuation', `${session}: ChildShards of ${e.shardId} name ${JSON.stringify(children)}, the shard's children are ${expected.map((s) => s.shardId).join(',')}`, [e]);
      return;
    }
  }
  if (named.size !== expected.length) {
    sink.add('subscription-bad-continuation', `${session}: ChildShards of ${e.shardId} name ${named.size} shards, the snapshots ${expected.length}`, [e]);
  }
}

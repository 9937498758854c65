/**
 * Order: on each shard, a put acknowledged before another began has the
 * smaller sequence number (ack-order-violated); per partition key, in the
 * final read taken in lineage order (parents first), a put acknowledged
 * before another began is read before it (key-order-violated).
 */
import type { PutAttempt } from '../history/history-format';
import { compareBigInt, type HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

export function checkAckOrder(index: HistoryIndex, sink: ViolationSink): void {
  const byShard = new Map<string, Array<{ seq: bigint; op: PutAttempt }>>();
  for (const op of index.acks) {
    const list = byShard.get(op.shardId) ?? [];
    list.push({ seq: BigInt(op.seq), op });
    byShard.set(op.shardId, list);
  }
  for (const [shardId, list] of byShard) {
    list.sort((a, b) => compareBigInt(a.seq, b.seq));
    let latest: PutAttempt | undefined; // the lower-numbered put that began last
    for (const { op } of list) {
      if (latest && op.endMs < latest.startMs) {
        sink.add('ack-order-violated', `${shardId}: ${op.value} (seq ${op.seq}) was acknowledged at ${op.endMs} before ${latest.value} (seq ${latest.seq}) began at ${latest.startMs}`, [op, latest]);
      }
      if (!latest || op.startMs > latest.startMs) latest = op;
    }
  }
}

interface KeyState { latestStartMs: number; latestValue: string }

export function checkKeyOrder(index: HistoryIndex, sink: ViolationSink): void {
  const seenValues = new Set<string>();
  const byKey = new Map<string, KeyState>();
  for (const shardId of index.lineageOrder()) {
    for (const r of index.finalRecords.get(shardId) ?? []) {
      if (r.value === null || seenValues.has(r.value)) continue; // the first copy of a value is its place
      seenValues.add(r.value);
      const attempts = index.attemptsByValue.get(r.value);
      if (!attempts) continue; // a phantom, reported elsewhere
      const firstStartMs = Math.min(...attempts.map((a) => a.startMs));
      const ack = attempts.find((a) => a.outcome === 'ok');
      const state = byKey.get(r.partitionKey);
      if (ack && state && ack.endMs < state.latestStartMs) {
        sink.add('key-order-violated', `key ${r.partitionKey}: ${r.value} (acknowledged at ${ack.endMs}) is read after ${state.latestValue}, which began at ${state.latestStartMs}`, [ack, ...(index.attemptsByValue.get(state.latestValue) ?? [])]);
      }
      if (!state || firstStartMs > state.latestStartMs) byKey.set(r.partitionKey, { latestStartMs: firstStartMs, latestValue: r.value });
    }
  }
}

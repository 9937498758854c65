/**
 * Checks of what a shard reads back against what a SteadyWriter knows:
 * every acknowledged record present with its bytes, nothing that was never
 * written, no record twice, sequence numbers increasing.
 */
import assert from 'node:assert/strict';
import type { ReadRecord } from './kinesis-helpers';
import { idOf, type Acked } from './steady-writer';

export function key(r: ReadRecord): string {
  return `${r.sequenceNumber}:${r.partitionKey}:${r.data.toString('hex')}`;
}

/** Checks one shard's records against what the writer knows; returns how many failed records appear. */
export function checkShard(shardId: string, got: readonly ReadRecord[], acked: readonly Acked[], failedIds: ReadonlySet<string>): number {
  const bySeq = new Map(got.map((r) => [r.sequenceNumber, r]));
  for (const a of acked) {
    const r = bySeq.get(a.sequenceNumber);
    assert.ok(r, `${shardId}: acknowledged ${a.id} at ${a.sequenceNumber} is missing`);
    assert.ok(r.data.equals(a.data), `${shardId}: ${a.sequenceNumber} holds other bytes`);
  }
  const ackedIds = new Set(acked.map((a) => a.id));
  const seen = new Set<string>();
  let failedPresent = 0;
  let last = -1n;
  for (const r of got) {
    const id = idOf(r.data);
    assert.ok(ackedIds.has(id) || failedIds.has(id), `${shardId}: ${r.sequenceNumber} was never written (${id})`);
    assert.ok(!seen.has(id), `${shardId}: ${id} appears twice`);
    seen.add(id);
    if (!ackedIds.has(id)) failedPresent++;
    const seq = BigInt(r.sequenceNumber);
    assert.ok(seq > last, `${shardId}: sequence numbers increase`);
    last = seq;
  }
  return failedPresent;
}

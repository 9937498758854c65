/**
 * Builds small hand-made histories for the checker's tests: a good one by
 * default (two shards tiling the hash space, sequential writers, a reader
 * session per shard, a complete final read, one leader kill with writes
 * resuming, converged replicas), which each test then breaks in one way.
 */
import { createHash } from 'node:crypto';
import { HASH_KEY_MAX, encodeSequenceNumber, partitionKeyToHashKey } from '@shoal/core';
import type {
  FaultEvent, History, PutAttempt, ReadCall, ReadLine, ReadRecord, ReplicaDump, RunInfo, ShardSnapshot, SnapshotShard,
} from '../../src/history/history-format';

export const SHARD0 = 'shardId-000000000000';
export const SHARD1 = 'shardId-000000000001';
const HALF = HASH_KEY_MAX / 2n;

export function seqOf(shardIndex: number, offset: number): string {
  return encodeSequenceNumber({ shardCreatedSecs: 1_700_000_000 + shardIndex, shardIndex, offset: BigInt(offset), arrivalSecs: 1_700_000_000 + shardIndex });
}

export function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

export function shardOfKey(key: string): string {
  return partitionKeyToHashKey(key) <= HALF ? SHARD0 : SHARD1;
}

/** A partition key that hashes into `shardId`, found deterministically. */
export function keyIn(shardId: string, salt: string): string {
  for (let i = 0; ; i++) if (shardOfKey(`${salt}-${i}`) === shardId) return `${salt}-${i}`;
}

export const SNAPSHOT_SHARDS: SnapshotShard[] = [
  { shardId: SHARD0, hashKeyStart: '0', hashKeyEnd: HALF.toString(), startingSequenceNumber: seqOf(0, 0) },
  { shardId: SHARD1, hashKeyStart: (HALF + 1n).toString(), hashKeyEnd: HASH_KEY_MAX.toString(), startingSequenceNumber: seqOf(1, 0) },
];

export interface MutableHistory {
  run: RunInfo;
  ops: PutAttempt[];
  reads: ReadLine[];
  shards: ShardSnapshot[];
  faults: FaultEvent[];
  replicas?: ReplicaDump[];
}

export function recordOf(op: PutAttempt): ReadRecord {
  return { seq: op.seq!, partitionKey: op.partitionKey, value: op.value, md5: op.md5 };
}

export function readCall(shardId: string, session: string, after: string | null, records: ReadRecord[], extra: Partial<ReadCall> = {}): ReadCall {
  return { type: 'read', reader: extra.final ? 'final' : 'r1', session, api: 0, shardId, after, startMs: 900, endMs: 901, outcome: 'ok', records, hasNext: true, ...extra };
}

/** Two writers per shard, 6 values each, 100 ms apart; a leader kill at 1000 ms. */
export function goodHistory(): MutableHistory {
  const ops: PutAttempt[] = [];
  const offsets = new Map<string, number>([[SHARD0, 0], [SHARD1, 0]]);
  for (let i = 0; i < 6; i++) {
    for (const [w, shardId] of [['w1', SHARD0], ['w2', SHARD1]] as const) {
      const key = keyIn(shardId, w);
      const value = `${w}-${i}`;
      const offset = offsets.get(shardId)!;
      offsets.set(shardId, offset + 1);
      ops.push({
        type: 'put', writer: w, value, attempt: 1, partitionKey: key, md5: md5(`${value}|${key}`), api: 0,
        startMs: 500 + i * 200, endMs: 550 + i * 200, outcome: 'ok', shardId, seq: seqOf(shardId === SHARD0 ? 0 : 1, offset),
      });
    }
  }
  const reads: ReadLine[] = [];
  for (const shardId of [SHARD0, SHARD1]) {
    const recs = ops.filter((o) => o.shardId === shardId).map(recordOf);
    reads.push(readCall(shardId, `r1-${shardId}`, null, recs.slice(0, 3)));
    reads.push(readCall(shardId, `r1-${shardId}`, recs[2]!.seq, recs.slice(3)));
    reads.push(readCall(shardId, `final-${shardId}`, null, recs, { final: true }));
    reads.push({ type: 'final-shard', shardId, session: `final-${shardId}`, complete: true, records: recs.length, atMs: 3000 });
  }
  const replicas: ReplicaDump[] = [];
  for (const shardId of [SHARD0, SHARD1]) {
    for (const nodeId of ['a1', 'b1', 'c1']) replicas.push({ type: 'replica', nodeId, shardId, logEndOffset: 6, highWatermark: 6 });
  }
  return {
    run: { seed: 1, scenario: 'unit', streamName: 's', startMs: 0, endMs: 3000, writeGapP99MsMax: 5000 },
    ops,
    reads,
    shards: [{ type: 'shards', api: 0, startMs: 100, endMs: 110, outcome: 'ok', shards: SNAPSHOT_SHARDS }],
    faults: [{ type: 'fault', atMs: 1000, action: 'kill', target: 'a1', pid: 42, shardIds: [SHARD0] }],
    replicas,
  };
}

export function asHistory(h: MutableHistory): History {
  return h;
}

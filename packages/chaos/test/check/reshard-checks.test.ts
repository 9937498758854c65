import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HASH_KEY_MAX } from '@shoal/core';
import { shardLifetimes } from '../../src/check/availability';
import { checkHistory, formatVerdict, type Verdict } from '../../src/check/checker';
import type { ViolationType } from '../../src/check/violations';
import type { History, ShardSnapshot, SnapshotShard } from '../../src/history/history-format';
import { readHistory } from '../../src/history/history-reader';
import type { EpochSample, ReshardRequest } from '../../src/history/reshard-format';
import { SHARD0, SHARD1, SNAPSHOT_SHARDS, asHistory, goodHistory, readCall, seqOf } from './history-builder';

const HALF = HASH_KEY_MAX / 2n;
const MID = HALF + 1n + (HASH_KEY_MAX - HALF) / 2n;
const ACCEPTED_MS = 1_800;

/** SHARD1 closed, its two children open (the split done). */
const DONE_SHARDS: SnapshotShard[] = [
  SNAPSHOT_SHARDS[0]!,
  { ...SNAPSHOT_SHARDS[1]!, endingSequenceNumber: seqOf(1, 5) },
  { shardId: 'shardId-000000000002', parentShardId: SHARD1, hashKeyStart: (HALF + 1n).toString(), hashKeyEnd: (MID - 1n).toString(), startingSequenceNumber: seqOf(2, 0) },
  { shardId: 'shardId-000000000003', parentShardId: SHARD1, hashKeyStart: MID.toString(), hashKeyEnd: HASH_KEY_MAX.toString(), startingSequenceNumber: seqOf(3, 0) },
];

function snap(startMs: number, streamStatus: string | undefined, done: boolean, api = 1): ShardSnapshot {
  return { type: 'shards', api, startMs, endMs: startMs + 10, outcome: 'ok', shards: done ? DONE_SHARDS : SNAPSHOT_SHARDS, ...(streamStatus ? { streamStatus } : {}) };
}

const split = (extra: Partial<ReshardRequest> = {}): ReshardRequest => ({
  type: 'reshard', op: 'split', source: 'storm', api: 0, shardIds: [SHARD1], newStartingHashKey: MID.toString(), attempt: 1,
  startMs: ACCEPTED_MS - 50, endMs: ACCEPTED_MS, outcome: 'ok', ...extra,
});

/** The good history with one split of SHARD1 accepted at ACCEPTED_MS and the given extra snapshots. */
function withSplit(snaps: ShardSnapshot[], requests: ReshardRequest[] = [split()]): History {
  const h = goodHistory();
  // The children hold no record; the final read reads them empty.
  for (const child of DONE_SHARDS.slice(2)) {
    h.reads.push(readCall(child.shardId, `final-${child.shardId}`, null, [], { final: true, hasNext: false }));
    h.reads.push({ type: 'final-shard', shardId: child.shardId, session: `final-${child.shardId}`, complete: true, records: 0, atMs: 3000 });
  }
  return { ...asHistory(h), shards: [...h.shards, ...snaps], reshards: requests };
}

function verdictOf(h: History): Verdict {
  return checkHistory(h);
}

function caught(h: History, type: ViolationType, n: number): void {
  const v = verdictOf(h);
  assert.equal(v.pass, false, `expected ${type}, the history passed`);
  assert.equal(v.violations[type], n, `expected ${n} ${type}, got ${JSON.stringify(v.violations)}`);
  assert.ok(v.details.some((d) => d.type === type && d.context.length > 0), `${type} comes with context`);
}

function passes(h: History): Verdict {
  const v = verdictOf(h);
  assert.equal(v.pass, true, formatVerdict(v));
  return v;
}

describe('checker: reshard rounds (reshard-stuck)', () => {
  it('passes a split done 700 ms after it was accepted, with its stats', () => {
    const v = passes(withSplit([snap(1_900, 'UPDATING', false), snap(2_500, 'ACTIVE', true)]));
    assert.deepEqual(v.reshards, { attempts: 1, accepted: 1, done: 1, rolledBack: 0, unresolved: 0, resolveMsMax: 710 });
  });

  it('passes a round rolled back in time (ACTIVE again, parent still open)', () => {
    const v = passes(withSplit([snap(1_900, 'UPDATING', false), snap(9_000, 'ACTIVE', false)]));
    assert.equal(v.reshards?.rolledBack, 1);
  });

  it('catches a split done only 16 s after it was accepted (and the 16 s of UPDATING)', () => {
    caught(withSplit([snap(1_900, 'UPDATING', false), snap(10_000, 'UPDATING', false), snap(17_800, 'ACTIVE', true)]), 'reshard-stuck', 2);
  });

  it('catches a round never done nor rolled back while snapshots went on for 18 s', () => {
    caught(withSplit([snap(1_900, 'UPDATING', false), snap(20_000, 'UPDATING', false)]), 'reshard-stuck', 2);
  });

  it('does not take a stale ACTIVE (an api view that predates the request) for a rollback', () => {
    caught(withSplit([snap(1_850, 'ACTIVE', false, 0), snap(1_900, 'UPDATING', false), snap(20_000, 'UPDATING', false)]), 'reshard-stuck', 2);
  });

  it('catches a stream UPDATING for 16 s with no accepted request (a request of unknown outcome applied)', () => {
    const info = split({ outcome: 'info', error: 'TimeoutError' });
    caught(withSplit([snap(1_900, 'UPDATING', false), snap(17_950, 'ACTIVE', false)], [info]), 'reshard-stuck', 1);
  });

  it('counts a round the history ends too early to judge as unresolved, not stuck', () => {
    const v = passes(withSplit([snap(1_900, 'UPDATING', false), snap(5_000, 'UPDATING', false)]));
    assert.equal(v.reshards?.unresolved, 1);
  });

  it('skips runs without reshards.jsonl and epochs.jsonl (older folders)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-old-'));
    try {
      writeFileSync(join(dir, 'run.json'), JSON.stringify(goodHistory().run));
      const h = readHistory(dir);
      assert.equal(h.reshards, undefined);
      assert.equal(h.epochs, undefined);
      const v = checkHistory(h);
      assert.equal(v.reshards, undefined);
      assert.equal(v.leaderChanges, undefined);
      assert.equal(v.violations['reshard-stuck'], 0);
      assert.equal(v.violations['epoch-not-increasing'], 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const epoch = (shardId: string, leader: string, e: number, modRevision: number): EpochSample => ({ type: 'epoch', atMs: modRevision * 10, shardId, leader, epoch: e, modRevision: String(modRevision) });

function withEpochs(epochs: EpochSample[]): History {
  return { ...goodHistory(), epochs };
}

describe('checker: epochs (epoch-not-increasing)', () => {
  it('passes leader changes that each bump the epoch, and counts them', () => {
    const v = passes(withEpochs([
      epoch(SHARD0, 'a1', 1, 5), epoch(SHARD0, 'b1', 2, 9), epoch(SHARD0, 'b1', 3, 12), epoch(SHARD0, 'c1', 4, 20), epoch(SHARD1, 'b1', 1, 5),
    ]));
    assert.equal(v.leaderChanges, 2);
  });

  it('orders samples by revision, not by line', () => {
    passes(withEpochs([epoch(SHARD0, 'b1', 2, 9), epoch(SHARD0, 'a1', 1, 5)]));
  });

  it('catches an epoch that went down', () => {
    caught(withEpochs([epoch(SHARD0, 'a1', 2, 5), epoch(SHARD0, 'b1', 1, 9)]), 'epoch-not-increasing', 1);
  });

  it('catches a leader change without a new epoch', () => {
    caught(withEpochs([epoch(SHARD1, 'a1', 3, 5), epoch(SHARD1, 'c1', 3, 9)]), 'epoch-not-increasing', 1);
  });
});

describe('availability across reshards', () => {
  it('knows when each shard could take writes from the snapshots', () => {
    const life = shardLifetimes([snap(100, undefined, false), snap(2_000, 'ACTIVE', true), snap(3_000, 'ACTIVE', true)]);
    assert.deepEqual(life.get(SHARD0), {});
    assert.deepEqual(life.get(SHARD1), { closedMs: 2_010 });
    assert.deepEqual(life.get('shardId-000000000002'), { bornMs: 2_000 });
  });

  it('does not count the time after a shard was closed as a write gap of a fault aimed at it', () => {
    const h = goodHistory();
    h.faults = [{ type: 'fault', atMs: 1_000, action: 'kill', target: 'b1', shardIds: [SHARD1] }];
    // SHARD0 keeps taking writes until 10 s; SHARD1's last ack is at 1550.
    h.ops.push({ ...h.ops[0]!, value: 'w1-99', startMs: 9_990, endMs: 10_000, seq: seqOf(0, 99) });
    h.run = { ...h.run, endMs: 20_000 };
    assert.equal(checkHistory(h).availability.maxMs, 8_450, 'an open shard silent for 8.45 s');
    h.shards.push(snap(1_700, 'ACTIVE', true));
    assert.equal(checkHistory(h).availability.maxMs, 200, 'closed at 1710: only its pauses before that count');
  });
});

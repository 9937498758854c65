import assert from 'node:assert/strict';
import { HASH_KEY_MAX, decodeSequenceNumber, limits } from '@shoal/core';
import { ClusterView, Keys, type NodeRecord, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import { SHARDS_PER_COMMIT_MAX } from '../src/controller-limits';
import { planShardRepair, planStreamCreation, planStreamDeletion } from '../src/plans';
import { loadOf } from '../src/placement';
import { planShardExpiry } from '../src/expiry-plans';

const keys = new Keys('/t/');

function node(nodeId: string): NodeRecord {
  return { nodeId, az: `az-${nodeId[0]}`, grpcAddress: '127.0.0.1:1', httpAddress: 'http://127.0.0.1:2', pid: 1, startedMs: 0 };
}

function stream(status: StreamRecord['status'], initialShardCount: number): StreamRecord {
  return {
    accountId: '000000000000', region: 'us-east-1', streamName: 'orders', streamId: 'id-1', streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders', status, mode: 'PROVISIONED',
    initialShardCount, retentionPeriodHours: 24, createdMs: 0, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {}, nextShardIndex: 0,
  };
}

function viewWith(nodeIds: string[], s?: StreamRecord, shards: ShardRecord[] = []): ClusterView {
  const view = new ClusterView();
  for (const id of nodeIds) view.nodes.set(id, node(id));
  if (s) view.setStream(`000000000000/us-east-1/${s.streamName}`, { value: s, modRevision: '7' });
  for (const sh of shards) {
    let m = view.shards.get(sh.streamId);
    if (!m) view.shards.set(sh.streamId, (m = new Map()));
    m.set(sh.shardId, { value: sh, modRevision: '9' });
  }
  return view;
}

function shard(leader: string, isr: string[], epoch = 1): ShardRecord {
  return {
    streamId: 'id-1', streamName: 'orders', shardId: 'shardId-000000000000', shardIndex: 0, hashKeyStart: '0', hashKeyEnd: HASH_KEY_MAX.toString(),
    startingSequenceNumber: '1', createdMs: 0, replicas: ['a1', 'b1', 'c1'], leader, epoch, isr,
  };
}

describe('planStreamCreation', () => {
  it('waits while fewer than three AZs have live nodes', () => {
    const s = stream('CREATING', 2);
    const view = viewWith(['a1', 'b1'], s);
    const out = planStreamCreation(view, keys, view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'orders' })!, 5);
    assert.equal(out.kind, 'wait');
  });

  it('creates every shard in one guarded commit, the stream still CREATING', () => {
    const s = stream('CREATING', 3);
    const view = viewWith(['a1', 'b1', 'c1'], s);
    const out = planStreamCreation(view, keys, view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'orders' })!, 5);
    assert.equal(out.kind, 'commit');
    if (out.kind !== 'commit') return;
    const { compare, puts } = out.plan;
    assert.deepEqual(compare[0], { key: '/t/streams/000000000000/us-east-1/orders', modRevision: '7' });
    assert.deepEqual(compare.slice(1).map((c) => c.modRevision), ['0', '0', '0']);
    assert.equal(puts.length, 3);
    const shards = puts.map((p) => p.value as ShardRecord);
    assert.deepEqual(shards.map((x) => x.shardId), ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
    assert.equal(shards[0]!.hashKeyStart, '0');
    assert.equal(shards[2]!.hashKeyEnd, HASH_KEY_MAX.toString());
    assert.equal(BigInt(shards[1]!.hashKeyStart), BigInt(shards[0]!.hashKeyEnd) + 1n);
    assert.deepEqual(shards.map((x) => x.leader), ['a1', 'b1', 'c1']);
    for (const x of shards) {
      assert.equal(x.epoch, 1);
      assert.deepEqual(x.isr, x.replicas);
      assert.equal(x.replicas.length, limits.REPLICATION_FACTOR);
      assert.deepEqual(decodeSequenceNumber(x.startingSequenceNumber), { shardCreatedSecs: 0, shardIndex: x.shardIndex, offset: 0n, arrivalSecs: 0 });
    }
  });

  it('sets ACTIVE only once every live ISR member reported opening its replica', () => {
    const s = stream('CREATING', 3);
    const created = planStreamCreation(viewWith(['a1', 'b1', 'c1'], s), keys, { value: s, modRevision: '7' }, 5);
    assert.ok(created.kind === 'commit');
    const view = viewWith(['a1', 'b1', 'c1'], s, created.plan.puts.map((p) => p.value as ShardRecord));
    const ref = { accountId: '000000000000', region: 'us-east-1', streamName: 'orders' };
    // The shards were written at revision 9 (viewWith); a1 and b1 acted on it, c1 only on revision 8.
    view.applied.set('a1', { revision: '9' });
    view.applied.set('b1', { revision: '12' });
    view.applied.set('c1', { revision: '8' });
    const waiting = planStreamCreation(view, keys, view.stream(ref)!, 6);
    assert.deepEqual(waiting, { kind: 'wait', why: 'the nodes are opening its replicas' });
    // A member that is not registered does not hold the stream back (failover deals with it).
    view.nodes.delete('c1');
    const out = planStreamCreation(view, keys, view.stream(ref)!, 6);
    assert.ok(out.kind === 'commit');
    assert.deepEqual(out.plan.compare, [{ key: '/t/streams/000000000000/us-east-1/orders', modRevision: '7' }]);
    assert.equal(out.plan.puts.length, 1);
    assert.equal(out.plan.puts[0]!.key, '/t/streams/000000000000/us-east-1/orders');
    const active = out.plan.puts[0]!.value as StreamRecord;
    assert.equal(active.status, 'ACTIVE');
    assert.equal(active.nextShardIndex, 3);
    view.nodes.set('c1', node('c1'));
    view.applied.set('c1', { revision: '9' });
    assert.equal(planStreamCreation(view, keys, view.stream(ref)!, 6).kind, 'commit');
  });

  it('splits a large stream into bounded commits', () => {
    const count = SHARDS_PER_COMMIT_MAX + 5;
    const s = stream('CREATING', count);
    const first = planStreamCreation(viewWith(['a1', 'b1', 'c1'], s), keys, { value: s, modRevision: '7' }, 5);
    assert.ok(first.kind === 'commit');
    if (first.kind !== 'commit') return;
    assert.equal(first.plan.puts.length, SHARDS_PER_COMMIT_MAX);
    const created = first.plan.puts.map((p) => p.value as ShardRecord);
    const view = viewWith(['a1', 'b1', 'c1'], s, created);
    const second = planStreamCreation(view, keys, view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'orders' })!, 6);
    assert.ok(second.kind === 'commit');
    if (second.kind !== 'commit') return;
    assert.equal(second.plan.puts.length, 5);
    assert.equal((second.plan.puts[0]!.value as ShardRecord).shardIndex, SHARDS_PER_COMMIT_MAX);
  });
});

describe('planStreamDeletion', () => {
  it('deletes the shards and the stream, guarded by the stream revision', () => {
    const s = stream('DELETING', 1);
    const view = viewWith(['a1', 'b1', 'c1'], s, [shard('a1', ['a1', 'b1', 'c1'])]);
    const plan = planStreamDeletion(view, keys, view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'orders' })!);
    assert.deepEqual(plan.deletes, ['/t/shards/id-1/shardId-000000000000', '/t/streams/000000000000/us-east-1/orders']);
    assert.deepEqual(plan.compare, [{ key: '/t/streams/000000000000/us-east-1/orders', modRevision: '7' }]);
  });
});

describe('planShardExpiry', () => {
  const HOUR_MS = 3_600_000;
  const ref = { accountId: '000000000000', region: 'us-east-1', streamName: 'orders' };
  /** Shard 0 closed at 10 h (split into 1 and 2), shard 3 closed without closedMs; retention 24 h. */
  const lineage = (): ShardRecord[] => {
    const base = shard('a1', ['a1', 'b1', 'c1']);
    const at = (i: number, extra: Partial<ShardRecord>): ShardRecord => ({ ...base, shardId: `shardId-00000000000${i}`, shardIndex: i, ...extra });
    return [
      at(0, { endingSequenceNumber: '5', closedMs: 10 * HOUR_MS, closing: true, sealedLogEnd: 5 }),
      at(1, { parentShardId: 'shardId-000000000000', createdMs: 10 * HOUR_MS }),
      at(2, { parentShardId: 'shardId-000000000000', createdMs: 10 * HOUR_MS }),
      at(3, { endingSequenceNumber: '7', closing: true, sealedLogEnd: 7 }),
    ];
  };
  const plan = (s: StreamRecord, nowMs: number) => {
    const view = viewWith(['a1', 'b1', 'c1'], s, lineage());
    return planShardExpiry(view, keys, view.stream(ref)!, nowMs);
  };

  it('deletes a closed shard once it closed before the retention horizon, guarded by the stream and the shard', () => {
    const s = stream('ACTIVE', 1);
    assert.equal(plan(s, 34 * HOUR_MS), undefined, 'closed exactly one retention period ago: its last records are still retained');
    const out = plan(s, 34 * HOUR_MS + 1);
    assert.ok(out);
    assert.deepEqual(out.deletes, ['/t/shards/id-1/shardId-000000000000']);
    assert.deepEqual(out.compare, [
      { key: '/t/streams/000000000000/us-east-1/orders', modRevision: '7' },
      { key: '/t/shards/id-1/shardId-000000000000', modRevision: '9' },
    ]);
    assert.deepEqual(out.puts, []);
  });

  it('follows the retention period and data that expired before an increase', () => {
    assert.equal(plan({ ...stream('ACTIVE', 1), retentionPeriodHours: 48 }, 40 * HOUR_MS), undefined);
    assert.ok(plan({ ...stream('ACTIVE', 1), retentionPeriodHours: 48, expiredBeforeMs: 11 * HOUR_MS }, 40 * HOUR_MS));
  });

  it('waits while the stream is not ACTIVE or a reshard round runs, and never expires a shard without closedMs', () => {
    const late = 1000 * HOUR_MS;
    assert.equal(plan(stream('UPDATING', 1), late), undefined);
    assert.equal(plan(stream('DELETING', 1), late), undefined);
    assert.equal(plan({ ...stream('ACTIVE', 1), reshard: { cause: 'split', steps: [], requestedMs: 0 } }, late), undefined);
    assert.deepEqual(plan(stream('ACTIVE', 1), late)?.deletes, ['/t/shards/id-1/shardId-000000000000']);
  });
});

describe('planShardRepair', () => {
  const repair = (sh: ShardRecord, live: string[]) => {
    const view = viewWith(live, undefined, [sh]);
    return planShardRepair(keys, view.shard('id-1', sh.shardId)!, new Set(live), loadOf(view.nodes.values(), [sh]));
  };

  it('leaves a healthy shard alone', () => {
    assert.equal(repair(shard('a1', ['a1', 'b1', 'c1']), ['a1', 'b1', 'c1']), undefined);
  });

  it('elects a live ISR member, bumps the epoch and drops the dead leader', () => {
    const out = repair(shard('a1', ['a1', 'b1', 'c1'], 3), ['b1', 'c1']);
    assert.ok(out && out.kind === 'commit');
    if (!out || out.kind !== 'commit') return;
    const next = out.plan.puts[0]!.value as ShardRecord;
    assert.equal(next.leader, 'b1');
    assert.equal(next.epoch, 4);
    assert.deepEqual(next.isr, ['b1', 'c1']);
    assert.deepEqual(next.replicas, ['a1', 'b1', 'c1']);
    assert.deepEqual(out.plan.compare, [{ key: '/t/shards/id-1/shardId-000000000000', modRevision: '9' }]);
  });

  it('never elects a replica outside the ISR', () => {
    const out = repair(shard('a1', ['a1', 'b1']), ['c1']);
    assert.ok(out && out.kind === 'wait');
  });

  it('elects the last live ISR member even below min-ISR', () => {
    const out = repair(shard('a1', ['a1', 'b1']), ['b1', 'c1']);
    assert.ok(out && out.kind === 'commit');
    if (!out || out.kind !== 'commit') return;
    const next = out.plan.puts[0]!.value as ShardRecord;
    assert.equal(next.leader, 'b1');
    assert.deepEqual(next.isr, ['b1']);
  });

  it('removes a dead follower from the ISR without changing the epoch', () => {
    const out = repair(shard('a1', ['a1', 'b1', 'c1'], 2), ['a1', 'b1']);
    assert.ok(out && out.kind === 'commit');
    if (!out || out.kind !== 'commit') return;
    const next = out.plan.puts[0]!.value as ShardRecord;
    assert.equal(next.leader, 'a1');
    assert.equal(next.epoch, 2);
    assert.deepEqual(next.isr, ['a1', 'b1']);
  });
});

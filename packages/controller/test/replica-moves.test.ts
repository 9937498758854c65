import assert from 'node:assert/strict';
import { HASH_KEY_MAX } from '@shoal/core';
import { Keys, type MoveLeaderRequest, type ShardRecord, type Versioned } from '@shoal/metadata';
import type { LoadTable } from '../src/placement';
import type { PlanOutcome } from '../src/plans';
import { planMoveLeader, planReplicaMove, type MoveContext } from '../src/replica-moves';
import { planHandover } from '../src/handover';

const keys = new Keys('/t/');
const NOW = 50_000;
const SHARD_KEY = '/t/shards/id-1/shardId-000000000000';

function shard(leader: string, replicas: string[], isr: string[], epoch = 3): Versioned<ShardRecord> {
  return {
    modRevision: '9',
    value: {
      streamId: 'id-1', streamName: 'orders', shardId: 'shardId-000000000000', shardIndex: 0, hashKeyStart: '0', hashKeyEnd: HASH_KEY_MAX.toString(),
      startingSequenceNumber: '1', createdMs: 0, replicas, leader, epoch, isr,
    },
  };
}

/** Nodes a1, a2, b1, b2, c1, c2 (AZ from the first letter); `dead` are missing; `departing` / `drained` as given. */
function ctx(opts: { dead?: string[]; departing?: string[]; drained?: string[]; load?: Record<string, number> } = {}): MoveContext {
  const all = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'];
  const knownAz = new Map(all.map((id) => [id, `az-${id[0]}`]));
  const liveAz = new Map([...knownAz].filter(([id]) => !(opts.dead ?? []).includes(id)));
  const load: LoadTable = new Map(all.map((id) => [id, { replicas: opts.load?.[id] ?? 0, leaders: 0 }]));
  const drained = new Set(opts.drained ?? []);
  return { liveAz, knownAz, departing: new Set([...(opts.departing ?? []), ...drained]), drained, load };
}

function committed(out: PlanOutcome | undefined): ShardRecord {
  assert.ok(out && out.kind === 'commit', JSON.stringify(out));
  if (!out || out.kind !== 'commit') throw new Error('unreachable');
  assert.deepEqual(out.plan.compare[0], { key: SHARD_KEY, modRevision: '9' });
  return out.plan.puts[0]!.value as ShardRecord;
}

describe('planReplicaMove', () => {
  it('does nothing when no replica departs', () => {
    assert.equal(planReplicaMove(keys, shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx(), NOW), undefined);
  });

  it('adds a node of the departing replica\'s AZ to replicas, not to the ISR', () => {
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1'], ['b1', 'c1']), ctx({ dead: ['a1'], departing: ['a1'] }), NOW));
    assert.deepEqual(next.replicas, ['a1', 'b1', 'c1', 'a2']);
    assert.deepEqual(next.isr, ['b1', 'c1']);
    assert.equal(next.epoch, 3);
    assert.equal(next.leader, 'b1');
  });

  it('waits while the new replica is not in the ISR, then drops the departing one', () => {
    const c = ctx({ dead: ['a1'], departing: ['a1'] });
    const waiting = planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['b1', 'c1']), c, NOW);
    assert.ok(waiting && waiting.kind === 'wait');
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['b1', 'c1', 'a2']), c, NOW));
    assert.deepEqual(next.replicas, ['b1', 'c1', 'a2']);
    assert.deepEqual(next.isr, ['b1', 'c1', 'a2']);
  });

  it('waits when no node of a free AZ is live (whole AZ gone)', () => {
    const out = planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1'], ['b1', 'c1']), ctx({ dead: ['a1', 'a2'], departing: ['a1'] }), NOW);
    assert.ok(out && out.kind === 'wait');
  });

  it('never places on a drained node or in an AZ that already holds a replica', () => {
    const out = planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1'], ['b1', 'c1']), ctx({ dead: ['a1'], departing: ['a1'], drained: ['a2'] }), NOW);
    assert.ok(out && out.kind === 'wait', JSON.stringify(out));
  });

  it('moves leadership off a drained leader first, to the live ISR member leading least, by a handover', () => {
    const c = ctx({ drained: ['a1'] });
    c.load.get('b1')!.leaders = 5;
    const next = committed(planReplicaMove(keys, shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), c, NOW));
    assert.equal(next.handoverTo, 'c1');
    assert.equal(next.handoverRequestedMs, NOW);
    assert.equal(next.leader, 'a1');
    assert.equal(next.epoch, 3);
    assert.deepEqual(next.replicas, ['a1', 'b1', 'c1']);
    assert.equal(planReplicaMove(keys, { modRevision: '9', value: next }, c, NOW), undefined, 'waits for the handover');
  });

  it('leaves a dead departing leader to failover', () => {
    assert.equal(planReplicaMove(keys, shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx({ dead: ['a1'], departing: ['a1'] }), NOW), undefined);
  });

  it('drops the drained replica (and its ISR membership) once the replacement is in sync', () => {
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['a1', 'b1', 'c1', 'a2']), ctx({ drained: ['a1'] }), NOW));
    assert.deepEqual(next.replicas, ['b1', 'c1', 'a2']);
    assert.deepEqual(next.isr, ['b1', 'c1', 'a2']);
  });

  it('drops a surplus replica when the old node came back, preferring one outside the ISR', () => {
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['b1', 'c1', 'a2']), ctx(), NOW));
    assert.deepEqual(next.replicas, ['b1', 'c1', 'a2']);
  });
});

describe('planMoveLeader', () => {
  const request = (to: string, refused?: string): Versioned<MoveLeaderRequest> => ({
    modRevision: '11', value: { streamId: 'id-1', shardId: 'shardId-000000000000', to, requestedMs: 1, ...(refused ? { refused } : {}) },
  });
  const REQUEST_KEY = '/t/admin/move-leader/id-1/shardId-000000000000';

  it('moves to a live ISR member: handover started and request deleted, in one commit', () => {
    const out = planMoveLeader(keys, request('c1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx(), NOW);
    const next = committed(out);
    assert.equal(next.leader, 'a1');
    assert.equal(next.handoverTo, 'c1');
    assert.equal(next.epoch, 3);
    if (out?.kind !== 'commit') return;
    assert.deepEqual(out.plan.deletes, [REQUEST_KEY]);
    assert.deepEqual(out.plan.compare[1], { key: REQUEST_KEY, modRevision: '11' });
  });

  it('refuses a target outside the ISR, and a dead one, without touching the shard', () => {
    for (const [out, why] of [
      [planMoveLeader(keys, request('c1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1']), ctx(), NOW), 'not in the ISR'],
      [planMoveLeader(keys, request('c1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx({ dead: ['c1'] }), NOW), 'not registered'],
    ] as const) {
      assert.ok(out && out.kind === 'commit');
      if (out?.kind !== 'commit') return;
      assert.equal(out.plan.puts.length, 1);
      assert.equal(out.plan.puts[0]!.key, REQUEST_KEY);
      assert.match((out.plan.puts[0]!.value as MoveLeaderRequest).refused ?? '', new RegExp(why));
    }
  });

  it('ignores a refused request, and completes one whose target already leads', () => {
    assert.equal(planMoveLeader(keys, request('c1', 'no'), shard('a1', ['a1', 'b1', 'c1'], ['a1']), ctx(), NOW), undefined);
    const out = planMoveLeader(keys, request('a1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx(), NOW);
    assert.ok(out && out.kind === 'commit');
    if (out?.kind !== 'commit') return;
    assert.deepEqual(out.plan.puts, []);
    assert.deepEqual(out.plan.deletes, [REQUEST_KEY]);
  });
});

describe('planHandover', () => {
  const handingOver = (to: string, isr = ['a1', 'b1', 'c1']): Versioned<ShardRecord> => {
    const v = shard('a1', ['a1', 'b1', 'c1'], isr);
    return { modRevision: v.modRevision, value: { ...v.value, handoverTo: to, handoverRequestedMs: NOW } };
  };

  it('waits the drain time (asking for a pass then), then makes the target leader with an epoch bump', () => {
    const asked: number[] = [];
    assert.equal(planHandover(keys, handingOver('c1'), ctx(), NOW + 30, 100, (ms) => asked.push(ms)), undefined);
    assert.deepEqual(asked, [70]);
    const next = committed(planHandover(keys, handingOver('c1'), ctx(), NOW + 100, 100, () => assert.fail('no wait')));
    assert.equal(next.leader, 'c1');
    assert.equal(next.epoch, 4);
    assert.equal(next.handoverTo, undefined);
    assert.equal(next.handoverRequestedMs, undefined);
  });

  it('aborts (no leader change) when the target left the ISR, died or was drained', () => {
    for (const [v, c] of [[handingOver('c1', ['a1', 'b1']), ctx()], [handingOver('c1'), ctx({ dead: ['c1'] })], [handingOver('c1'), ctx({ drained: ['c1'] })]] as const) {
      const next = committed(planHandover(keys, v, c, NOW + 500, 100, () => undefined));
      assert.equal(next.leader, 'a1');
      assert.equal(next.epoch, 3);
      assert.equal(next.handoverTo, undefined);
    }
  });

  it('leaves a dead leader to failover, and does nothing without a handover', () => {
    assert.equal(planHandover(keys, handingOver('c1'), ctx({ dead: ['a1'] }), NOW + 500, 100, () => undefined), undefined);
    assert.equal(planHandover(keys, shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx(), NOW, 100, () => undefined), undefined);
  });
});

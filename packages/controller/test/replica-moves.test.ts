import assert from 'node:assert/strict';
import { HASH_KEY_MAX } from '@shoal/core';
import { Keys, type MoveLeaderRequest, type ShardRecord, type Versioned } from '@shoal/metadata';
import type { LoadTable } from '../src/placement';
import type { PlanOutcome } from '../src/plans';
import { planMoveLeader, planReplicaMove, type MoveContext } from '../src/replica-moves';

const keys = new Keys('/t/');
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
    assert.equal(planReplicaMove(keys, shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx()), undefined);
  });

  it('adds a node of the departing replica\'s AZ to replicas, not to the ISR', () => {
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1'], ['b1', 'c1']), ctx({ dead: ['a1'], departing: ['a1'] })));
    assert.deepEqual(next.replicas, ['a1', 'b1', 'c1', 'a2']);
    assert.deepEqual(next.isr, ['b1', 'c1']);
    assert.equal(next.epoch, 3);
    assert.equal(next.leader, 'b1');
  });

  it('waits while the new replica is not in the ISR, then drops the departing one', () => {
    const c = ctx({ dead: ['a1'], departing: ['a1'] });
    const waiting = planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['b1', 'c1']), c);
    assert.ok(waiting && waiting.kind === 'wait');
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['b1', 'c1', 'a2']), c));
    assert.deepEqual(next.replicas, ['b1', 'c1', 'a2']);
    assert.deepEqual(next.isr, ['b1', 'c1', 'a2']);
  });

  it('waits when no node of a free AZ is live (whole AZ gone)', () => {
    const out = planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1'], ['b1', 'c1']), ctx({ dead: ['a1', 'a2'], departing: ['a1'] }));
    assert.ok(out && out.kind === 'wait');
  });

  it('never places on a drained node or in an AZ that already holds a replica', () => {
    const out = planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1'], ['b1', 'c1']), ctx({ dead: ['a1'], departing: ['a1'], drained: ['a2'] }));
    assert.ok(out && out.kind === 'wait', JSON.stringify(out));
  });

  it('moves leadership off a drained leader first, to the live ISR member leading least, with an epoch bump', () => {
    const c = ctx({ drained: ['a1'] });
    c.load.get('b1')!.leaders = 5;
    const next = committed(planReplicaMove(keys, shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), c));
    assert.equal(next.leader, 'c1');
    assert.equal(next.epoch, 4);
    assert.deepEqual(next.replicas, ['a1', 'b1', 'c1']);
  });

  it('leaves a dead departing leader to failover', () => {
    assert.equal(planReplicaMove(keys, shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx({ dead: ['a1'], departing: ['a1'] })), undefined);
  });

  it('drops the drained replica (and its ISR membership) once the replacement is in sync', () => {
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['a1', 'b1', 'c1', 'a2']), ctx({ drained: ['a1'] })));
    assert.deepEqual(next.replicas, ['b1', 'c1', 'a2']);
    assert.deepEqual(next.isr, ['b1', 'c1', 'a2']);
  });

  it('drops a surplus replica when the old node came back, preferring one outside the ISR', () => {
    const next = committed(planReplicaMove(keys, shard('b1', ['a1', 'b1', 'c1', 'a2'], ['b1', 'c1', 'a2']), ctx()));
    assert.deepEqual(next.replicas, ['b1', 'c1', 'a2']);
  });
});

describe('planMoveLeader', () => {
  const request = (to: string, refused?: string): Versioned<MoveLeaderRequest> => ({
    modRevision: '11', value: { streamId: 'id-1', shardId: 'shardId-000000000000', to, requestedMs: 1, ...(refused ? { refused } : {}) },
  });
  const REQUEST_KEY = '/t/admin/move-leader/id-1/shardId-000000000000';

  it('moves to a live ISR member: epoch bump and request deleted, in one commit', () => {
    const out = planMoveLeader(keys, request('c1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx());
    const next = committed(out);
    assert.equal(next.leader, 'c1');
    assert.equal(next.epoch, 4);
    if (out?.kind !== 'commit') return;
    assert.deepEqual(out.plan.deletes, [REQUEST_KEY]);
    assert.deepEqual(out.plan.compare[1], { key: REQUEST_KEY, modRevision: '11' });
  });

  it('refuses a target outside the ISR, and a dead one, without touching the shard', () => {
    for (const [out, why] of [
      [planMoveLeader(keys, request('c1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1']), ctx()), 'not in the ISR'],
      [planMoveLeader(keys, request('c1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx({ dead: ['c1'] })), 'not registered'],
    ] as const) {
      assert.ok(out && out.kind === 'commit');
      if (out?.kind !== 'commit') return;
      assert.equal(out.plan.puts.length, 1);
      assert.equal(out.plan.puts[0]!.key, REQUEST_KEY);
      assert.match((out.plan.puts[0]!.value as MoveLeaderRequest).refused ?? '', new RegExp(why));
    }
  });

  it('ignores a refused request, and completes one whose target already leads', () => {
    assert.equal(planMoveLeader(keys, request('c1', 'no'), shard('a1', ['a1', 'b1', 'c1'], ['a1']), ctx()), undefined);
    const out = planMoveLeader(keys, request('a1'), shard('a1', ['a1', 'b1', 'c1'], ['a1', 'b1', 'c1']), ctx());
    assert.ok(out && out.kind === 'commit');
    if (out?.kind !== 'commit') return;
    assert.deepEqual(out.plan.puts, []);
    assert.deepEqual(out.plan.deletes, [REQUEST_KEY]);
  });
});

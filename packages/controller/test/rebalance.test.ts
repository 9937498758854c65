import assert from 'node:assert/strict';
import { HASH_KEY_MAX } from '@shoal/core';
import { Keys, type ShardRecord, type Versioned } from '@shoal/metadata';
import { planHandover } from '../src/handover';
import { loadOf } from '../src/placement';
import type { PlanOutcome } from '../src/plans';
import { planRebalance, type RebalanceSettings } from '../src/rebalance';
import { planReplicaMove, type MoveContext } from '../src/replica-moves';

const keys = new Keys('/t/');
const SETTINGS: RebalanceSettings = { skewMin: 2, replicaMovesMax: 2, handoversMax: 1 };
const DRAIN_MS = 100;

function shardRecord(i: number, leader: string, replicas: string[], isr = replicas): ShardRecord {
  return {
    streamId: 'id-1', streamName: 'orders', shardId: `shardId-${String(i).padStart(12, '0')}`, shardIndex: i, hashKeyStart: '0',
    hashKeyEnd: HASH_KEY_MAX.toString(), startingSequenceNumber: '1', createdMs: 0, replicas, leader, epoch: 1, isr,
  };
}

/** A tiny etcd of shard records: commits apply if their shard compare matches. */
class Shards {
  readonly byKey = new Map<string, Versioned<ShardRecord>>();
  private rev = 10;
  constructor(records: ShardRecord[]) {
    for (const r of records) this.byKey.set(keys.shard(r.streamId, r.shardId), { modRevision: String(this.rev++), value: r });
  }
  list(): Versioned<ShardRecord>[] { return [...this.byKey.values()]; }
  apply(out: PlanOutcome | undefined): boolean {
    if (!out || out.kind !== 'commit') return false;
    for (const c of out.plan.compare) {
      const cur = this.byKey.get(c.key);
      if (cur && cur.modRevision !== c.modRevision) return false;
    }
    for (const p of out.plan.puts) if (this.byKey.has(p.key)) this.byKey.set(p.key, { modRevision: String(this.rev++), value: p.value as ShardRecord });
    return true;
  }
  /** What leaders do: a replica outside the ISR catches up and joins it. */
  catchUp(): void {
    for (const [k, v] of this.byKey) {
      const missing = v.value.replicas.filter((id) => !v.value.isr.includes(id));
      if (missing.length > 0) this.byKey.set(k, { modRevision: String(this.rev++), value: { ...v.value, isr: [...v.value.isr, ...missing] } });
    }
  }
}

function context(nodes: string[], shards: Shards, drained: string[] = []): MoveContext {
  const liveAz = new Map(nodes.map((id) => [id, `az-${id[0]}`]));
  const records = shards.list().map((v) => v.value);
  return { liveAz, knownAz: liveAz, departing: new Set(drained), drained: new Set(drained), load: loadOf(nodes.map((nodeId) => ({ nodeId, az: `az-${nodeId[0]}`, grpcAddress: '', httpAddress: '', pid: 1, startedMs: 0 })), records) };
}

function counts(shards: Shards): { replicas: Map<string, number>; leaders: Map<string, number> } {
  const replicas = new Map<string, number>();
  const leaders = new Map<string, number>();
  for (const { value: s } of shards.list()) {
    for (const id of s.replicas) replicas.set(id, (replicas.get(id) ?? 0) + 1);
    leaders.set(s.leader, (leaders.get(s.leader) ?? 0) + 1);
  }
  return { replicas, leaders };
}

/** Runs the controller's move planners and the leaders' catch-up until nothing changes; returns the passes taken. */
function converge(shards: Shards, nodes: string[], onPass?: (planned: PlanOutcome[]) => void): number {
  let now = 1_000_000;
  for (let pass = 1; pass < 500; pass++) {
    now += DRAIN_MS;
    let changed = false;
    for (const v of shards.list()) changed = shards.apply(planHandover(keys, v, context(nodes, shards), now, DRAIN_MS, () => undefined)) || changed;
    for (const v of shards.list()) changed = shards.apply(planReplicaMove(keys, v, context(nodes, shards), now)) || changed;
    const planned = planRebalance(keys, shards.list(), context(nodes, shards), SETTINGS, now);
    onPass?.(planned);
    for (const out of planned) changed = shards.apply(out) || changed;
    shards.catchUp();
    if (!changed) return pass;
  }
  throw new Error('did not converge');
}

describe('planRebalance', () => {
  const SIX_ON_THREE = (): Shards => new Shards([0, 1, 2, 3, 4, 5].map((i) => shardRecord(i, ['a1', 'b1', 'c1'][i % 3]!, ['a1', 'b1', 'c1'])));
  const SIX_NODES = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'];

  it('spreads replicas and leaders evenly after a second node joins every AZ, one replica per AZ', () => {
    const shards = SIX_ON_THREE();
    converge(shards, SIX_NODES, (planned) => {
      for (const out of planned) {
        assert.ok(out.kind === 'commit');
        const v = out.plan.puts[0]!.value as ShardRecord;
        if (v.rebalanceFrom !== undefined) {
          const added = v.replicas[v.replicas.length - 1]!;
          assert.equal(added[0], v.rebalanceFrom[0], 'replacement in the same AZ');
        }
      }
    });
    const { replicas, leaders } = counts(shards);
    for (const id of SIX_NODES) {
      assert.equal(replicas.get(id), 3, `replicas of ${id}`);
      assert.equal(leaders.get(id), 1, `leaders of ${id}`);
    }
    for (const { value: s } of shards.list()) {
      assert.deepEqual(new Set(s.replicas.map((id) => id[0])).size, 3, 'one replica per AZ');
      assert.equal(s.replicas.length, 3);
      assert.deepEqual([...s.isr].sort(), [...s.replicas].sort());
      assert.ok(s.replicas.includes(s.leader));
      assert.equal(s.rebalanceFrom, undefined);
      assert.equal(s.handoverTo, undefined);
    }
  });

  it('never has more replica moves or handovers in flight than allowed', () => {
    const shards = SIX_ON_THREE();
    converge(shards, SIX_NODES, () => {
      const inFlight = shards.list().filter((v) => v.value.rebalanceFrom !== undefined).length;
      const handovers = shards.list().filter((v) => v.value.handoverTo !== undefined).length;
      assert.ok(inFlight <= SETTINGS.replicaMovesMax, `moves in flight ${inFlight}`);
      assert.ok(handovers <= SETTINGS.handoversMax, `handovers in flight ${handovers}`);
    });
  });

  it('hysteresis: counts within one of each other move nothing, and a balanced cluster stays put', () => {
    // a1 holds 2 replicas, a2 holds 1: skew 1.
    const shards = new Shards([
      shardRecord(0, 'a1', ['a1', 'b1', 'c1']), shardRecord(1, 'b2', ['a1', 'b2', 'c2']), shardRecord(2, 'c1', ['a2', 'b1', 'c1']),
    ]);
    assert.deepEqual(planRebalance(keys, shards.list(), context(SIX_NODES, shards), SETTINGS, 0), []);
    const balanced = SIX_ON_THREE();
    converge(balanced, SIX_NODES);
    const passes = converge(balanced, SIX_NODES);
    assert.equal(passes, 1, 'a converged cluster plans nothing');
  });

  it('ISR safety: touches no shard with a replica outside the ISR, and nothing while a node departs', () => {
    const partial = new Shards([0, 1, 2, 3].map((i) => shardRecord(i, 'b1', ['a1', 'b1', 'c1'], ['b1', 'c1'])));
    assert.deepEqual(planRebalance(keys, partial.list(), context(SIX_NODES, partial), SETTINGS, 0), []);
    const shards = SIX_ON_THREE();
    assert.deepEqual(planRebalance(keys, shards.list(), context(SIX_NODES, shards, ['b1']), SETTINGS, 0), []);
  });

  it('moves leaders only to in-sync replicas, by a handover, and prefers moving followers\' replicas', () => {
    const shards = new Shards([0, 1, 2, 3].map((i) => shardRecord(i, 'a1', ['a1', 'b1', 'c1'], i === 0 ? ['a1', 'b1', 'c1'] : ['a1', 'b1', 'c1'])));
    const three = ['a1', 'b1', 'c1'];
    const [first] = planRebalance(keys, shards.list(), context(three, shards), SETTINGS, 7);
    assert.ok(first && first.kind === 'commit');
    const v = first.plan.puts[0]!.value as ShardRecord;
    assert.equal(v.leader, 'a1');
    assert.ok(v.handoverTo === 'b1' || v.handoverTo === 'c1');
    assert.equal(v.handoverRequestedMs, 7);
    const six = SIX_ON_THREE();
    for (const out of planRebalance(keys, six.list(), context(SIX_NODES, six), SETTINGS, 0)) {
      assert.ok(out.kind === 'commit');
      const r = out.plan.puts[0]!.value as ShardRecord;
      assert.notEqual(r.leader, r.rebalanceFrom, 'a follower replica moves first');
    }
  });
});

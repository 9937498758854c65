/**
 * Scripted failure scenarios on the replication simulation (src/sim/),
 * over the real storage node: each step is followed by the invariants.
 */
import * as assert from 'node:assert/strict';
import { SimCluster } from '../../src/sim/sim-cluster';
import { CACHE_SHARE_BYTES } from '../../src/sim/simulate';
import { SIM_LEASE_TTL_MS } from '../../src/sim/sim-etcd';
import { SimInvariants, storedValues } from '../../src/sim/sim-invariants';
import { Rng, SimWorld } from '../../src/sim/sim-world';

const STEP_MS = 10;

class Script {
  readonly world = new SimWorld(new Rng(42), true);
  readonly sim = new SimCluster(this.world, ['a', 'b', 'c'], true, (m) => { this.world.fatal ??= m; }, CACHE_SHARE_BYTES);
  private readonly checker = new SimInvariants(this.sim);

  /** Runs an action, lets everything that is due happen, checks the invariants. */
  async do(action: (sim: SimCluster) => unknown): Promise<void> {
    await action(this.sim);
    await this.quiesce();
  }

  /** Lets `ms` pass in small steps, everything due delivered at each. */
  async settle(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += STEP_MS) {
      this.sim.advance(STEP_MS);
      await this.quiesce();
    }
  }

  async values(id: string): Promise<number[]> {
    const n = this.sim.node(id);
    return storedValues(n.index, n.data);
  }

  get record(): SimCluster['etcd']['record']['value'] { return this.sim.etcd.record.value; }

  private async quiesce(): Promise<void> {
    const w = this.world;
    await w.settle();
    for (let due = w.due(); due.length > 0; due = w.due()) {
      for (const e of due) w.fire(e);
      await w.settle();
    }
    const v = w.fatal ?? await this.checker.check();
    if (v) assert.fail(`invariant violated: ${v}\n${w.trace.join('\n')}`);
  }
}

describe('replication scenarios over the real storage node', () => {
  it('a follower that crashes holds writes back until it leaves the ISR, then catches up and rejoins', async () => {
    const s = new Script();
    await s.settle(300);
    await s.do((sim) => sim.produce(2));
    await s.settle(200);
    assert.equal(s.sim.acks.length, 2, s.world.trace.join('\n'));
    await s.do((sim) => sim.crash('c', 'power'));
    await s.do((sim) => sim.produce(3));
    await s.settle(200);
    assert.equal(s.sim.acks.length, 2, 'c is still in the ISR: the write waits');
    await s.settle(SIM_LEASE_TTL_MS + 500);
    assert.deepEqual(s.record.isr, ['a', 'b']);
    assert.equal(s.sim.acks.length, 5, 'c left the ISR (lease expired): a and b commit');
    await s.do((sim) => sim.restart('c'));
    await s.settle(SIM_LEASE_TTL_MS * 4);
    assert.deepEqual(await s.values('c'), await s.values('a'));
    assert.deepEqual(s.record.isr, ['a', 'b', 'c']);
  });

  it('an old leader that appended alone truncates its divergent suffix when it comes back', async () => {
    const s = new Script();
    await s.settle(300);
    await s.do((sim) => sim.produce(2));
    await s.settle(200);
    await s.do((sim) => sim.isolate('a', true)); // the producer still reaches it: it appends alone
    await s.do((sim) => sim.produce(3));
    await s.settle(SIM_LEASE_TTL_MS + 500);
    assert.notEqual(s.record.leader, 'a', 'the controller failed over');
    await s.do((sim) => sim.produce(1));
    await s.settle(300);
    await s.do((sim) => sim.heal());
    await s.settle(SIM_LEASE_TTL_MS * 4);
    assert.deepEqual(await s.values('a'), await s.values(s.record.leader), 'a dropped its divergent records and caught up');
    assert.ok(s.world.trace.some((l) => l.includes('a warn: truncated a divergent log suffix')));
    assert.equal(s.sim.acks.filter((e) => e.node === 'a' && e.epoch === 1 && e.offset >= 2).length, 0, 'nothing a appended alone was acknowledged');
  });

  it('fast double failover (KIP-279): each replica truncates to where its log matches the final leader', async () => {
    const s = new Script();
    await s.settle(300);
    await s.do((sim) => sim.produce(2));
    await s.settle(200);
    await s.do((sim) => sim.isolate('a', true));
    await s.do((sim) => sim.produce(2));
    await s.settle(SIM_LEASE_TTL_MS + 500);
    const second = s.record.leader;
    assert.notEqual(second, 'a');
    await s.do((sim) => sim.isolate(second, true)); // the second leader writes alone, then dies
    await s.do((sim) => sim.produce(2));
    await s.settle(300);
    await s.do((sim) => sim.crash(second, 'power'));
    await s.settle(SIM_LEASE_TTL_MS + 500);
    await s.do((sim) => { sim.heal(); sim.restart(second); });
    await s.settle(SIM_LEASE_TTL_MS * 6);
    const final = await s.values(s.record.leader);
    for (const id of ['a', 'b', 'c']) assert.deepEqual(await s.values(id), final, `${id} converged`);
    assert.ok(s.record.epoch >= 3);
  });

  it('a zombie leader paused past its lease acknowledges nothing when it wakes up', async () => {
    const s = new Script();
    await s.settle(300);
    await s.do((sim) => { sim.produce(2); sim.pause('a'); });
    await s.settle(SIM_LEASE_TTL_MS + 500);
    assert.notEqual(s.record.leader, 'a');
    const before = s.sim.acks.length;
    await s.do((sim) => sim.resume('a'));
    await s.settle(STEP_MS);
    assert.equal(s.sim.acks.slice(before).filter((e) => e.node === 'a').length, 0, 'no ack from the zombie');
    assert.ok(s.world.trace.some((l) => /a answers \[1,2\]: (NOT_LEADER|TIMEOUT)/.test(l)), 'its producer is refused');
    await s.settle(SIM_LEASE_TTL_MS * 4);
    const final = await s.values(s.record.leader);
    for (const id of ['a', 'b', 'c']) assert.deepEqual(await s.values(id), final, `${id} converged`);
  });
});

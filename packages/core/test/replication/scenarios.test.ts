/**
 * Scripted failure scenarios on the cluster simulation, each with a
 * readable trace compared to a golden file in test/replication/golden/
 * (a protocol change reads as a diff; run with GOLDEN_UPDATE=1 to rewrite).
 * The invariants are checked after every scripted step too.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterSim, SIM_LEASE_TTL_MS } from './sim/cluster-sim';
import { InvariantChecker } from './sim/invariants';
import { Rng } from './sim/rng';

const GOLDEN_DIR = join(__dirname, '../../../test/replication/golden');

class Script {
  readonly sim = new ClusterSim(['a', 'b', 'c'], new Rng(42));
  private readonly checker = new InvariantChecker(this.sim);

  do(step: (sim: ClusterSim) => void): this {
    step(this.sim);
    const v = this.checker.check();
    if (v) assert.fail(`invariant violated: ${v}\n${this.sim.trace.join('\n')}`);
    return this;
  }

  /** Advances time in small steps, delivering everything each time. */
  settle(ms: number): this {
    for (let t = 0; t < ms; t += 100) this.do((s) => { s.advance(100); s.deliverAll(); });
    return this;
  }

  golden(name: string): void {
    const text = `${this.sim.trace.join('\n')}\n`;
    const file = join(GOLDEN_DIR, `${name}.txt`);
    if (process.env['GOLDEN_UPDATE'] === '1' || !existsSync(file)) writeFileSync(file, text);
    assert.equal(text, readFileSync(file, 'utf8'), `trace of ${name} differs from ${file}`);
  }
}

const values = (sim: ClusterSim, id: string): number[] => sim.values(sim.node(id));

describe('replication/scenarios (golden traces)', () => {
  it('a follower that restarts catches up without losing anything', () => {
    const s = new Script().settle(300);
    s.do((sim) => sim.produce(2)).settle(200).do((sim) => sim.crash('c'));
    s.do((sim) => sim.produce(3)).settle(200);
    assert.equal(s.sim.node('a').waiters.length, 1, 'c is still in the ISR: the write waits');
    s.settle(SIM_LEASE_TTL_MS + 500);
    assert.equal(s.sim.node('a').waiters.length, 0, 'c left the ISR (lease expired): a and b commit');
    assert.deepEqual(s.sim.record.isr, ['a', 'b']);
    s.do((sim) => sim.restart('c')).settle(SIM_LEASE_TTL_MS * 4);
    assert.deepEqual(values(s.sim, 'c'), values(s.sim, 'a'));
    assert.deepEqual(s.sim.record.isr, ['a', 'b', 'c']);
    s.golden('follower-restart');
  });

  it('an old leader that comes back truncates its divergent suffix', () => {
    const s = new Script().settle(300);
    s.do((sim) => sim.produce(2)).settle(200);
    s.do((sim) => sim.isolate('a')).do((sim) => sim.produce(3)); // a appends alone: never acknowledged
    s.settle(SIM_LEASE_TTL_MS + 500);
    assert.notEqual(s.sim.record.leader, 'a', 'the controller failed over');
    s.do((sim) => sim.produce(1)).settle(300);
    s.do((sim) => sim.heal()).settle(SIM_LEASE_TTL_MS * 4);
    const leader = s.sim.record.leader;
    assert.deepEqual(values(s.sim, 'a'), values(s.sim, leader), 'a dropped its divergent records and caught up');
    assert.ok(s.sim.trace.some((l) => l.includes('a truncates')));
    assert.equal(s.sim.acks.filter((e) => e.node === 'a' && e.epoch === 1 && e.offset >= 2).length, 0);
    s.golden('old-leader-divergent-suffix');
  });

  it('fast double failover (KIP-279): each replica truncates to where its log matches the final leader', () => {
    const s = new Script().settle(300);
    s.do((sim) => sim.produce(2)).settle(200);
    s.do((sim) => sim.isolate('a')).do((sim) => sim.produce(2)).settle(SIM_LEASE_TTL_MS + 500);
    const second = s.sim.record.leader;
    const third = ['b', 'c'].find((id) => id !== second)!;
    s.do((sim) => sim.isolate(second)).do((sim) => sim.produce(2)); // the second leader writes alone, then dies
    s.do((sim) => sim.crash(second)).settle(SIM_LEASE_TTL_MS + 500);
    s.do((sim) => { sim.heal(); sim.restart(second); }).settle(SIM_LEASE_TTL_MS * 6);
    const final = s.sim.record.leader;
    for (const id of ['a', 'b', 'c']) assert.deepEqual(values(s.sim, id), values(s.sim, final), `${id} converged`);
    assert.ok(third !== undefined && s.sim.record.epoch >= 3);
    s.golden('double-failover');
  });

  it('a zombie leader paused past its lease acknowledges nothing when it wakes up', () => {
    const s = new Script().settle(300);
    s.do((sim) => sim.produce(2));
    s.do((sim) => sim.pause('a')).settle(SIM_LEASE_TTL_MS + 500);
    assert.notEqual(s.sim.record.leader, 'a');
    const acksBefore = s.sim.acks.length;
    s.do((sim) => sim.resume('a')).do((sim) => sim.deliverAll());
    assert.equal(s.sim.acks.filter((e, i) => i >= acksBefore && e.node === 'a').length, 0, 'no ack from the zombie');
    assert.ok(s.sim.trace.some((l) => l.includes('a fails')), 'its waiting producers are failed');
    s.settle(SIM_LEASE_TTL_MS * 4);
    s.golden('zombie-leader');
  });
});

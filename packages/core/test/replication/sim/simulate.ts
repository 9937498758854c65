/**
 * One seeded run of the cluster simulation: random faults and writes for
 * `steps` steps with the invariants checked after each, then a healing
 * phase that must converge (every replica holds the leader's log, the ISR
 * is whole again, a new write is acknowledged). Same seed, same run.
 */
import { ClusterSim } from './cluster-sim';
import { InvariantChecker } from './invariants';
import { Rng } from './rng';

export interface SimResult {
  readonly seed: number;
  readonly steps: number;
  readonly acked: number;
  readonly epochs: number;
  readonly violation: string | undefined;
  readonly trace: readonly string[];
}

const HEAL_ROUNDS = 300;
const HEAL_ROUND_MS = 100;

function randomStep(sim: ClusterSim, rng: Rng): void {
  const ids = sim.ids;
  const r = rng.next();
  const due = sim.net.map((p, i) => ({ p, i })).filter(({ p }) => p.at <= sim.nowMs);
  if (r < 0.35) {
    if (due.length === 0) { sim.advance(10 + rng.int(50)); return; }
    sim.deliver(rng.chance(0.8) ? due[0]!.i : rng.pick(due).i);
  } else if (r < 0.40) {
    if (sim.net.length > 0) sim.net.splice(rng.int(sim.net.length), 1);
  } else if (r < 0.42) {
    if (sim.net.length > 0) sim.net.push({ ...sim.net[rng.int(sim.net.length)]! });
  } else if (r < 0.57) {
    sim.produce(1 + rng.int(3));
  } else if (r < 0.85) {
    sim.advance(10 + rng.int(400));
  } else if (r < 0.875) {
    const up = ids.filter((id) => sim.node(id).up);
    if (up.length >= 2) sim.crash(rng.pick(up));
  } else if (r < 0.905) {
    const down = ids.filter((id) => !sim.node(id).up);
    if (down.length > 0) sim.restart(rng.pick(down));
  } else if (r < 0.92) {
    const running = ids.filter((id) => sim.node(id).up && !sim.node(id).paused);
    if (running.length >= 2) sim.pause(rng.pick(running));
  } else if (r < 0.945) {
    const paused = ids.filter((id) => sim.node(id).paused);
    if (paused.length > 0) sim.resume(rng.pick(paused));
  } else if (r < 0.96) {
    sim.isolate(rng.pick(ids));
  } else if (r < 0.98) {
    if (sim.cut.size > 0) sim.heal();
  } else if (r < 0.99) {
    sim.moveLeader(rng.pick(ids)); // a planned move (handover); ignored unless the target is another ISR member
  } else {
    sim.advance(1_000 + rng.int(3_000)); // long enough for leases to expire
  }
}

/** Heals everything and checks that the replicas converge and writes resume. */
function healAndConverge(sim: ClusterSim, checker: InvariantChecker): string | undefined {
  sim.heal();
  for (const n of sim.nodes.values()) { if (!n.up) sim.restart(n.id); if (n.paused) sim.resume(n.id); }
  let produced = false;
  for (let round = 0; round < HEAL_ROUNDS; round++) {
    sim.advance(HEAL_ROUND_MS);
    sim.deliverAll();
    const v = checker.check();
    if (v) return v;
    const leader = sim.leader();
    if (sim.record.isr.length === sim.ids.length && !produced && leader.machine.appendRefusal(sim.nowMs) === undefined) {
      sim.produce(1);
      produced = true;
    }
    const end = leader.machine.logEndOffset();
    const whole = produced && sim.record.isr.length === sim.ids.length && leader.machine.highWatermark() === end && leader.waiters.length === 0;
    const ref = JSON.stringify(sim.values(leader));
    if (whole && [...sim.nodes.values()].every((n) => JSON.stringify(sim.values(n)) === ref)) return undefined;
  }
  const state = [...sim.nodes.values()].map((n) => `${n.id}: end=${n.machine.logEndOffset()} hw=${n.machine.highWatermark()} e${n.machine.epoch()} ${n.machine.role()}`).join('; ');
  return `did not converge after healing: isr [${sim.record.isr.join(',')}] ${state}`;
}

export function simulate(seed: number, steps: number, traceOn = false): SimResult {
  const rng = new Rng(seed);
  const sim = new ClusterSim(['a', 'b', 'c'], rng, traceOn);
  const checker = new InvariantChecker(sim);
  let violation: string | undefined;
  let step = 0;
  try {
    for (; step < steps && !violation; step++) {
      randomStep(sim, rng);
      violation = checker.check();
    }
    violation ??= healAndConverge(sim, checker);
  } catch (err) {
    violation = `step ${step}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return { seed, steps: step, acked: checker.ackedCount(), epochs: sim.record.epoch, violation, trace: sim.trace };
}

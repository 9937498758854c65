/**
 * One seeded run of the replication simulation over the real storage node
 * (sim-cluster.ts): `steps` random steps (deliveries in a random order,
 * drops, duplicates, writes, time, process crashes, power cuts, restarts,
 * pauses, partitions, leader moves) with the invariants checked after
 * each, then healing, after which the run must converge: the ISR whole
 * again and every replica holding the leader's log and its high watermark
 * (before any new write), then a new write acknowledged, every store
 * holding the leader's log.
 * Even seeds run --fsync on (a stop may be a power cut, losing what was
 * not yet on disk), odd seeds --fsync off (a stop is a process crash).
 * Same seed, same run.
 */
import { SimCluster } from './sim-cluster';
import { SimInvariants, storedValues } from './sim-invariants';
import { Rng, SimWorld } from './sim-world';

export interface SimResult {
  readonly seed: number;
  readonly steps: number;
  readonly acked: number;
  readonly epochs: number;
  readonly violation: string | undefined;
  readonly trace: readonly string[];
}

const IDS = ['a', 'b', 'c'] as const;
const HEAL_ROUNDS = 300;
const HEAL_ROUND_MS = 100;
/** What each replica's batch cache may hold in most runs. */
export const CACHE_SHARE_BYTES = 1 << 20;
/** Rounds after which a write of the healing phase that got no acknowledgement is sent again. */
const PRODUCE_RETRY_ROUNDS = 20;

async function randomStep(sim: SimCluster, rng: Rng): Promise<void> {
  const w = sim.world;
  const r = rng.next();
  const nodes = [...sim.nodes.values()];
  if (r < 0.48) {
    const due = w.due();
    if (due.length === 0) { sim.advance(1 + rng.int(30)); return; }
    for (let i = 1 + rng.int(4); i > 0 && due.length > 0; i--) w.fire(rng.chance(0.8) ? due.shift()! : due.splice(rng.int(due.length), 1)[0]!);
  } else if (r < 0.495) {
    const net = w.events.filter((e) => e.what.startsWith('net '));
    if (net.length > 0) { const e = rng.pick(net); w.events = w.events.filter((x) => x !== e); w.log(`drop: ${e.what}`); }
  } else if (r < 0.505) {
    const net = w.events.filter((e) => e.what.startsWith('net '));
    if (net.length > 0) { const e = rng.pick(net); w.at(rng.int(40), e.owner, `${e.what} (dup)`, e.run); }
  } else if (r < 0.645) {
    sim.produce(1 + rng.int(3));
  } else if (r < 0.86) {
    sim.advance(10 + rng.int(400));
  } else if (r < 0.88) {
    const up = nodes.filter((n) => n.up);
    if (up.length >= 2) await sim.crash(rng.pick(up).id, sim.sync && rng.chance(0.5) ? 'power' : 'process');
  } else if (r < 0.905) {
    const down = nodes.filter((n) => !n.up);
    if (down.length > 0) sim.restart(rng.pick(down).id);
  } else if (r < 0.915) {
    const running = nodes.filter((n) => n.up && !n.paused);
    if (running.length >= 2) sim.pause(rng.pick(running).id);
  } else if (r < 0.935) {
    const paused = nodes.filter((n) => n.paused);
    if (paused.length > 0) sim.resume(rng.pick(paused).id);
  } else if (r < 0.945) {
    sim.isolate(rng.pick(IDS));
  } else if (r < 0.965) {
    if (sim.cut.size > 0) sim.heal();
  } else if (r < 0.975) {
    sim.moveLeader(rng.pick(IDS));
  } else {
    sim.advance(1_000 + rng.int(3_000)); // long enough for leases to expire
  }
}

/** Heals everything and checks that the replicas converge and writes resume. */
async function healAndConverge(sim: SimCluster, checker: SimInvariants): Promise<string | undefined> {
  const w = sim.world;
  sim.heal();
  for (const n of sim.nodes.values()) { if (n.paused) sim.resume(n.id); if (!n.up) sim.restart(n.id); }
  let producedAt = -1;
  let producedRound = -1;
  for (let round = 0; round < HEAL_ROUNDS; round++) {
    sim.advance(HEAL_ROUND_MS);
    await w.settle();
    for (let due = w.due(); due.length > 0; due = w.due()) {
      for (const e of due) w.fire(e);
      await w.settle();
    }
    const v = w.fatal ?? await checker.check();
    if (v) return v;
    const rec = sim.etcd.record.value;
    const leader = sim.node(rec.leader).driver?.get({ streamId: rec.streamId, shardId: rec.shardId });
    if (!leader) continue;
    const whole = rec.isr.length === IDS.length;
    // Without any write, every replica must come to hold the leader's whole log and know it committed
    // (a follower's high watermark that no message raises again stays behind: chaos reshard-kills).
    const settled = whole && [...sim.nodes.values()].every((n) => {
      const m = n.driver?.get({ streamId: rec.streamId, shardId: rec.shardId })?.machine;
      return m !== undefined && m.logEndOffset() === leader.machine.logEndOffset() && m.highWatermark() === m.logEndOffset();
    });
    // A write after healing must be acknowledged (one refused while the views catch up is sent again).
    const unanswered = producedAt >= 0 && checker.ackedCount() <= producedAt && round - producedRound >= PRODUCE_RETRY_ROUNDS;
    if (settled && (producedAt < 0 || unanswered)) {
      if (producedAt < 0) producedAt = checker.ackedCount();
      producedRound = round;
      sim.produce(1);
      continue;
    }
    if (!settled || producedAt < 0 || checker.ackedCount() <= producedAt) continue;
    const logs = await Promise.all([...sim.nodes.values()].map(async (n) => JSON.stringify(await storedValues(n.index, n.data))));
    if (logs.every((l) => l === logs[0])) return undefined;
  }
  const state = [...sim.nodes.values()].map((n) => {
    const r = n.driver?.get({ streamId: sim.etcd.record.value.streamId, shardId: sim.etcd.record.value.shardId });
    return `${n.id}: ${n.up ? 'up' : 'down'} ${r ? `end=${r.machine.logEndOffset()} hw=${r.machine.highWatermark()} e${r.machine.epoch()} ${r.machine.role()}` : 'no replica'}`;
  }).join('; ');
  return `did not converge after healing: isr [${sim.etcd.record.value.isr.join(',')}] ${state}`;
}

export async function simulate(seed: number, steps: number, traceOn = false): Promise<SimResult> {
  const rng = new Rng(seed);
  const world = new SimWorld(rng, traceOn);
  // One seed in three keeps nothing in the batch caches: every send then reads the store, and a leader's newest
  // batch, sent while its own write is in flight, is found in neither until that write is done.
  const cacheShareBytes = seed % 3 === 0 ? 1 : CACHE_SHARE_BYTES;
  const sim = new SimCluster(world, IDS, seed % 2 === 0, (message) => { world.fatal ??= message; }, cacheShareBytes);
  world.log(`seed ${seed}, fsync ${sim.sync ? 'on' : 'off'}, cache share ${cacheShareBytes} bytes`);
  const checker = new SimInvariants(sim);
  let violation: string | undefined;
  let step = 0;
  try {
    await world.settle();
    for (; step < steps && !violation; step++) {
      await randomStep(sim, rng);
      await world.settle();
      violation = world.fatal ?? await checker.check();
    }
    violation ??= await healAndConverge(sim, checker);
  } catch (err) {
    violation = `step ${step}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
  }
  return { seed, steps: step, acked: checker.ackedCount(), epochs: sim.etcd.record.value.epoch, violation, trace: world.trace };
}

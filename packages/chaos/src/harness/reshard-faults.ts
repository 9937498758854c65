/**
 * The reshard faults. Controller crash: one step of the controller-crash scenario: arm the controllers'
 * test-only crash hook at a point of a reshard round (reshard-schedule.ts),
 * request a split or merge through the api, wait for the active controller
 * to SIGKILL itself there, wait (bounded) for the standby to finish or roll
 * back the round (from the harness's etcd view), then restart the crashed
 * controller. The crash is logged as a kill in faults.jsonl; the request in
 * reshards.jsonl; whether the round got stuck is the checker's call
 * (reshard-stuck, from the snapshots). Parent-leader kill (reshard-kills):
 * wait (bounded) for the storm's next round to appear in etcd, then SIGKILL
 * the leader of one of its parents, the node that must seal it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessEntry } from '@shoal/cli';
import { isClosing, isOpenShard, type ShardRecord } from '@shoal/metadata';
import { CRASH_WAIT_MS, RESHARD_OPEN_SHARDS_MAX, RESHARD_OPEN_SHARDS_MIN } from '../chaos-limits';
import { kinesisClient } from '../workload/kinesis-clients';
import { chooseReshard, requestReshard, type ReshardChoice } from '../workload/reshard-requests';
import { SeededRandom } from '../workload/seeded-random';
import { isOurs } from './cluster-control';
import type { InjectorDeps } from './fault-injector';
import type { ReshardCrashStep } from './reshard-schedule';
import { fault, restartAll } from './fault-log';
import { chaosStreamRef } from '../workload/kinesis-clients';

const POLL_MS = 20;
const SEED_RANGE = 2 ** 31;
/** How long a parent-leader kill waits for a round to start before it kills a random shard's leader instead. */
const ROUND_WAIT_MS = 5_000;
const STATE_WAIT_MS = 1_000;

/** The step's split or merge, from the harness's etcd view (open shards that are not closing). */
function choose(d: InjectorDeps, step: ReshardCrashStep): ReshardChoice | undefined {
  const stream = d.store.view.stream(chaosStreamRef(d.streamName));
  if (!stream) return undefined;
  const open = d.store.view.openShardsOf(stream.value.streamId).filter((s) => !isClosing(s));
  const random = new SeededRandom(Math.floor(step.pick * SEED_RANGE));
  // Force the step's operation, within the storm's bounds on open shards.
  const merge = step.op === 'merge' && open.length > RESHARD_OPEN_SHARDS_MIN;
  const split = step.op === 'split' && open.length < RESHARD_OPEN_SHARDS_MAX;
  const bounds = merge || !split ? { min: 0, max: 0 } : { min: Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
  return chooseReshard(open, random, bounds);
}

/** The first of `controllers` found dead within `waitMs`, or undefined. */
async function crashed(controllers: readonly ProcessEntry[], waitMs: number): Promise<ProcessEntry | undefined> {
  for (const deadline = Date.now() + waitMs; Date.now() < deadline; await sleep(POLL_MS)) {
    const dead = controllers.find((c) => !isOurs(c));
    if (dead) return dead;
  }
  return undefined;
}

/** Milliseconds until the stream is ACTIVE with no round in the harness's etcd view, or undefined after `waitMs`. */
async function settledMs(d: InjectorDeps, waitMs: number): Promise<number | undefined> {
  const startMs = d.now();
  for (; d.now() - startMs < waitMs; await sleep(POLL_MS)) {
    const s = d.store.view.stream(chaosStreamRef(d.streamName))?.value;
    if (s && s.status === 'ACTIVE' && s.reshard === undefined) return d.now() - startMs;
  }
  return undefined;
}

export async function reshardCrash(d: InjectorDeps, step: ReshardCrashStep): Promise<void> {
  const file = d.cluster.reshardCrashFile;
  const controllers = d.cluster.processes().filter((p) => p.role === 'controller' && isOurs(p));
  const choice = choose(d, step);
  if (!choice) { d.log(`reshard-crash ${step.point}: nothing to ${step.op}`); return; }
  // Whichever controller is active will crash: its exit is expected (process-watch).
  for (const c of controllers) d.cluster.expectedExits.add(c.pid);
  writeFileSync(file, `${step.point}\n`);
  const clients = d.cluster.endpoints.map((e) => kinesisClient(e));
  let dead: ProcessEntry | undefined;
  try {
    const sender = { streamName: d.streamName, clients, history: d.history, now: d.now, random: new SeededRandom(Math.floor(step.pick * SEED_RANGE)), stopped: () => false };
    const what = `${choice.op} ${choice.shardIds.join('+')}`;
    const r = await requestReshard(sender, choice, `crash-${step.point}`);
    if (r.outcome !== 'ok') { d.log(`reshard-crash ${step.point}: ${what} not accepted (${r.error ?? r.outcome})`); return; }
    dead = await crashed(controllers, CRASH_WAIT_MS);
    // The crash pauses writes on the round's parents until the standby settles it: its write gap is measured there.
    if (dead) fault(d, { action: 'kill', target: dead.name, pid: dead.pid, shardIds: choice.shardIds, detail: `the active controller SIGKILLed itself at ${step.point} of ${what} (test hook)` });
    else d.log(`reshard-crash ${step.point}: the hook did not fire within ${CRASH_WAIT_MS} ms (${what})`);
    const ms = await settledMs(d, CRASH_WAIT_MS);
    d.log(`reshard-crash ${step.point}: ${what} ${ms === undefined ? `NOT settled within ${CRASH_WAIT_MS} ms` : `settled ${ms} ms after the crash`}`);
  } finally {
    rmSync(file, { force: true });
    for (const c of controllers) if (c !== dead) d.cluster.expectedExits.delete(c.pid);
    for (const c of clients) c.destroy();
  }
  if (dead) await restartAll(d, `${dead.name} after its crash at ${step.point}`);
}

/** The round state a parent-leader kill waits for (bounded by STATE_WAIT_MS), by the step's pick. */
const KILL_AT = ['requested', 'closing', 'sealed'] as const;

function roundState(d: InjectorDeps): (typeof KILL_AT)[number] | undefined {
  const stream = d.store.view.stream(chaosStreamRef(d.streamName))?.value;
  if (!stream?.reshard) return undefined;
  const parents = stream.reshard.steps.flatMap((st) => st.parents).map((id) => d.store.view.shard(stream.streamId, id)?.value);
  if (parents.every((p) => p?.sealedLogEnd !== undefined)) return 'sealed';
  return parents.every((p) => p?.closing === true) ? 'closing' : 'requested';
}

/**
 * SIGKILL the leader of a parent (at fraction `pick`) of the next round seen
 * in etcd, once the round reached the state the pick names (requested,
 * closing or sealed; bounded wait), or of a random open shard if no round
 * starts within ROUND_WAIT_MS.
 */
export async function killReshardParentLeader(d: InjectorDeps, pick: number): Promise<void> {
  await d.store.waitFor(() => roundState(d) !== undefined, ROUND_WAIT_MS).catch(() => undefined);
  const want = KILL_AT[Math.floor(pick * KILL_AT.length)]!;
  if (want !== 'requested') await d.store.waitFor(() => roundState(d) === undefined || KILL_AT.indexOf(roundState(d)!) >= KILL_AT.indexOf(want), STATE_WAIT_MS).catch(() => undefined);
  const stream = d.store.view.stream(chaosStreamRef(d.streamName))?.value;
  if (!stream) return;
  const shards = d.store.view.shardsOf(stream.streamId).map((v) => v.value);
  const open = shards.filter(isOpenShard);
  const parents = (stream.reshard?.steps.flatMap((st) => st.parents) ?? []).map((id) => shards.find((s) => s.shardId === id)).filter((s): s is ShardRecord => s !== undefined);
  const pool = parents.length > 0 ? parents : open;
  const shard = pool[Math.floor(pick * pool.length)];
  if (!shard) { d.log('no shard to fault'); return; }
  const pid = d.cluster.signal(shard.leader, 'SIGKILL');
  const state = roundState(d) ?? 'done';
  fault(d, {
    action: 'kill', target: shard.leader, ...(pid ? { pid } : {}), shardIds: open.filter((s) => s.leader === shard.leader).map((s) => s.shardId),
    detail: `leader of ${shard.shardId} (epoch ${shard.epoch}), ${parents.length > 0 ? `a parent of the round in progress (${state}, aimed at ${want})` : 'no round in progress'}${pid ? '' : ': not running'}`,
  });
}

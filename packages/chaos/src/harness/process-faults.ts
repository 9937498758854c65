/**
 * Faults that restart or replace processes: a clock skew (the process is
 * restarted with SHOAL_CLOCK_OFFSET_MS, which the storage node, controller
 * and api read once at start), a controller failover onto a skewed standby,
 * and the replacement of a storage node by a new, empty one in its AZ.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isOurs } from './cluster-control';
import type { InjectorDeps } from './fault-injector';
import { fault, openShards, restartAll } from './fault-log';

const EXIT_WAIT_MS = 10_000;
const POLL_MS = 100;
const HEALTH_TIMEOUT_MS = 1_000;

/** Waits until `name` no longer runs (bounded; SIGKILL after the wait). */
async function waitExit(d: InjectorDeps, name: string): Promise<void> {
  const entry = d.cluster.process(name);
  if (!entry) return;
  for (let waited = 0; isOurs(entry) && waited < EXIT_WAIT_MS; waited += POLL_MS) await sleep(POLL_MS);
  if (isOurs(entry)) d.cluster.signal(name, 'SIGKILL');
  while (isOurs(entry)) await sleep(POLL_MS);
}

/** SIGTERM `name`, then start it again with its wall clock shifted by `offsetMs`. */
async function restartSkewed(d: InjectorDeps, name: string, offsetMs: number, shardIds?: readonly string[]): Promise<void> {
  const pid = d.cluster.signal(name, 'SIGTERM');
  fault(d, { action: 'term', target: name, ...(pid ? { pid } : {}), ...(shardIds ? { shardIds } : {}), detail: `restart with SHOAL_CLOCK_OFFSET_MS=${offsetMs}` });
  await waitExit(d, name);
  d.cluster.setEnv(name, { SHOAL_CLOCK_OFFSET_MS: String(offsetMs) });
  await restartAll(d, `${name} clock ${offsetMs >= 0 ? '+' : ''}${offsetMs} ms`);
}

/** Skews the leader node of the shard at fraction `pick` of the open shards. */
export async function skewShardLeader(d: InjectorDeps, pick: number, offsetMs: number): Promise<void> {
  const shards = openShards(d);
  const shard = shards[Math.floor(pick * shards.length)];
  if (!shard) { d.log('no shard to skew'); return; }
  await restartSkewed(d, shard.leader, offsetMs, shards.filter((s) => s.leader === shard.leader).map((s) => s.shardId));
}

async function isActiveController(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return ((await res.json()) as { active?: boolean }).active === true;
  } catch {
    return false;
  }
}

/**
 * Makes a controller with a skewed clock the active one: the standby is
 * restarted with the offset, then the active one is SIGTERMed (it resigns,
 * the skewed standby is elected) and started again as the new standby.
 */
export async function skewController(d: InjectorDeps, offsetMs: number): Promise<void> {
  const controllers = d.cluster.specs.filter((p) => p.role === 'controller');
  const states = await Promise.all(controllers.map((c) => isActiveController(c.healthUrl)));
  const active = controllers.find((_, i) => states[i]);
  const standby = controllers.find((c) => c !== active);
  if (!active || !standby) { d.log('no active and standby controller to skew'); return; }
  await restartSkewed(d, standby.name, offsetMs);
  const pid = d.cluster.signal(active.name, 'SIGTERM');
  fault(d, { action: 'term', target: active.name, ...(pid ? { pid } : {}), detail: `failover to the skewed ${standby.name}` });
  await waitExit(d, active.name);
  await restartAll(d, `${active.name} back as standby`);
}

/** Kills `oldName` for good and starts `newName` (a spare node of the same AZ, empty data dir) in its place. */
export async function replaceNode(d: InjectorDeps, oldName: string, newName: string): Promise<void> {
  const led = openShards(d).filter((s) => s.leader === oldName).map((s) => s.shardId);
  d.cluster.retire(oldName);
  const pid = d.cluster.signal(oldName, 'SIGKILL');
  fault(d, { action: 'kill', target: oldName, ...(pid ? { pid } : {}), shardIds: led, detail: `replaced for good by ${newName}` });
  await waitExit(d, oldName);
  d.cluster.activate(newName);
  await restartAll(d, `${newName} started in place of ${oldName}`);
}

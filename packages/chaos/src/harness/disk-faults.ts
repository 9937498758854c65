/**
 * The disk faults of the disk scenarios (disk-schedules.ts), run by the
 * fault injector:
 *
 * - powerCut: SIGKILL every storage node, then drop what each one never
 *   synced (the power-cut shim's journal, power-cut.ts), then start them
 *   again. One PowerCutEvent per node in disk.jsonl.
 * - corruptFollower: SIGKILL a follower of a random shard, flip seeded
 *   bits in its LevelDB files, SIGKILL the shard's leader, and restart the
 *   follower while the leader stays down (a later `restart` step brings
 *   it back). Records the flips, whether the follower's log reported the
 *   corruption after its restart, and (a watch on the shard records)
 *   every record naming it leader while its restarted process was
 *   registered and no leader had re-added it to that shard's ISR yet.
 *   The checker turns the last two into `corruption-undetected` and
 *   `corrupt-replica-led`.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShardRecord, Versioned } from '@shoal/metadata';
import { SeededRandom } from '../workload/seeded-random';
import type { CorruptionEvent } from '../history/disk-format';
import { isOurs, type ClusterControl } from './cluster-control';
import type { DiskStep } from './disk-schedules';
import type { InjectorDeps } from './fault-injector';
import { openShards } from './fault-log';
import { applyPowerCut, journalPath, nodeDataDir } from './power-cut';
import { chaosStreamRef } from '../workload/kinesis-clients';

const DEATH_WAIT_MS = 5_000;
const DEATH_POLL_MS = 20;
/** How long the watch on a corrupted node's leaderships runs (longer than any fault phase). */
const REBUILD_WATCH_MS = 180_000;
/** The storage node's log line when its integrity check fails (storage-node node-db.ts). */
const DETECTION_TEXT = 'LevelDB corruption detected';

async function killAndWait(cluster: ClusterControl, name: string): Promise<number | undefined> {
  const entry = cluster.process(name);
  const pid = cluster.signal(name, 'SIGKILL');
  if (!entry || pid === undefined) return undefined;
  for (let waited = 0; isOurs(entry) && waited < DEATH_WAIT_MS; waited += DEATH_POLL_MS) await sleep(DEATH_POLL_MS);
  return pid;
}

function storageNodes(cluster: ClusterControl): string[] {
  return cluster.specs.filter((p) => p.role === 'storage-node' && !cluster.isDormant(p.name)).map((p) => p.name);
}

export async function powerCut(d: InjectorDeps): Promise<void> {
  const atMs = d.now();
  const nodes = storageNodes(d.cluster);
  const killed = await Promise.all(nodes.map(async (name) => ({ name, pid: await killAndWait(d.cluster, name) })));
  const lost: string[] = [];
  for (const { name } of killed) {
    const cut = applyPowerCut(journalPath(d.cluster.dataDir, name));
    d.history.disk({ type: 'power-cut', atMs, node: name, ...cut });
    lost.push(`${name} -${cut.droppedBytes} B (${cut.removedFiles} files removed, ${cut.truncatedFiles} cut)`);
  }
  const detail = `power cut: SIGKILL ${killed.map((k) => `${k.name}${k.pid ? `(${k.pid})` : ''}`).join(' ')}; unsynced writes dropped: ${lost.join(', ')}`;
  d.history.fault({ type: 'fault', atMs, action: 'kill', target: 'storage-nodes', detail });
  d.log(detail);
  const upAtMs = d.now();
  try {
    await d.cluster.up();
    d.history.fault({ type: 'fault', atMs: upAtMs, action: 'restart', target: 'all', detail: `after the power cut, up took ${d.now() - upAtMs} ms` });
  } catch (err) {
    d.history.fault({ type: 'fault', atMs: upAtMs, action: 'restart', target: 'all', detail: `up failed: ${(err as Error).message.slice(0, 500)}` });
  }
}

/**
 * Flips `count` seeded bits in the LevelDB files of `dbDir`: in its
 * write-ahead logs (*.log, the newest data) when they hold any bytes,
 * else in its tables (*.ldb). Returns where.
 */
export function flipBits(dbDir: string, count: number, seed: number): CorruptionEvent['flips'] {
  const all = readdirSync(dbDir).sort().map((f) => ({ file: f, bytes: statSync(join(dbDir, f)).size })).filter((f) => f.bytes > 0);
  const logs = all.filter((f) => f.file.endsWith('.log'));
  const files = logs.length > 0 ? logs : all.filter((f) => f.file.endsWith('.ldb'));
  const total = files.reduce((a, f) => a + f.bytes, 0);
  if (total === 0) return [];
  const random = new SeededRandom(seed);
  const flips: Array<{ file: string; offset: number; bit: number }> = [];
  for (let i = 0; i < count; i++) {
    let at = random.int(total);
    const f = files.find((x) => (at < x.bytes ? true : ((at -= x.bytes), false)))!;
    const bit = random.int(8);
    const fd = openSync(join(dbDir, f.file), 'r+');
    try {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, at);
      b[0]! ^= 1 << bit;
      writeSync(fd, b, 0, 1, at);
    } finally {
      closeSync(fd);
    }
    flips.push({ file: f.file, offset: at, bit });
  }
  return flips;
}

/** The running watch of each corrupted node (one at a time per node). */
const watches = new Map<string, () => void>();

/**
 * From now on, every record naming `node` leader while its restarted
 * process (a pid other than `oldPid`) is registered, before a leader
 * re-added it to that shard's ISR (a record without it, then one with it),
 * is written to disk.jsonl (once per shard and epoch).
 */
function watchRebuild(d: InjectorDeps, node: string, oldPid: number): void {
  watches.get(node)?.(); // a newer corruption of the same node has its own watch (and old pid)
  const stage = new Map<string, 'stale' | 'withdrawn' | 'readded'>();
  const latest = new Map<string, ShardRecord>();
  const restarted = (): boolean => {
    const n = d.store.view.nodes.get(node);
    return n !== undefined && n.pid !== oldPid;
  };
  const reported = new Set<string>();
  const judge = (s: ShardRecord): void => {
    if (s.leader === node && stage.get(s.shardId) !== 'readded' && restarted() && !reported.has(`${s.shardId}@${s.epoch}`)) {
      reported.add(`${s.shardId}@${s.epoch}`);
      d.history.disk({ type: 'led-while-rebuilding', atMs: d.now(), node, shardId: s.shardId, epoch: s.epoch });
      d.log(`${node} named leader of ${s.shardId} (epoch ${s.epoch}) before it was back in its ISR`);
    }
  };
  const seen = (v: Versioned<ShardRecord>): void => {
    const s = v.value;
    if (s.streamName !== d.streamName) return;
    const before = stage.get(s.shardId) ?? 'stale';
    stage.set(s.shardId, !s.isr.includes(node) ? 'withdrawn' : before === 'withdrawn' ? 'readded' : before);
    latest.set(s.shardId, s);
    judge(s);
  };
  const stream = d.store.view.stream(chaosStreamRef(d.streamName));
  for (const v of stream ? d.store.view.shardsOf(stream.value.streamId) : []) seen(v);
  const unsubscribe = d.store.onChange((change) => {
    if (change.kind === 'shard' && change.value) seen(change.value);
    else if (change.kind === 'node') for (const s of latest.values()) judge(s);
  });
  watches.set(node, unsubscribe);
  setTimeout(unsubscribe, REBUILD_WATCH_MS).unref();
}

function logSize(path: string): number {
  try { return statSync(path).size; } catch { return 0; }
}

/** The first line of `path` past byte `from` that reports corruption. */
function detectionLine(path: string, from: number): string | undefined {
  try {
    return readFileSync(path).subarray(from).toString('utf8').split('\n').find((l) => l.includes(DETECTION_TEXT));
  } catch {
    return undefined;
  }
}

export async function corruptFollower(d: InjectorDeps, step: Extract<DiskStep, { action: 'corrupt-follower' }>): Promise<void> {
  const shards = openShards(d);
  const shard = shards[Math.floor(step.pick * shards.length)];
  const followers = (shard?.isr ?? []).filter((id) => id !== shard?.leader).sort();
  const node = followers[Math.floor(step.followerPick * followers.length)];
  if (!shard || !node) { d.log('corrupt-follower: no shard with an in-sync follower'); return; }
  const c = d.cluster;
  const spec = c.spec(node)!;
  const logFile = c.process(node)?.logFile ?? '';
  const atMs = d.now();
  const oldPid = await killAndWait(c, node);
  if (oldPid === undefined) { d.log(`corrupt-follower: ${node} is not running`); return; }
  watchRebuild(d, node, oldPid);
  const flips = flipBits(join(nodeDataDir(spec), 'leveldb', 'data'), step.flips, step.flipSeed);
  d.history.disk({ type: 'corruption', atMs, node, flips });
  const where = [...new Set(flips.map((f) => f.file))].join(' ');
  d.history.fault({ type: 'fault', atMs, action: 'kill', target: node, pid: oldPid, shardIds: [shard.shardId], detail: `follower of ${shard.shardId}: SIGKILL, ${flips.length} bits flipped in ${where}` });
  d.log(`corrupt-follower: ${node} (follower of ${shard.shardId}) killed, ${flips.length} bits flipped in ${where}`);
  const leader = shard.leader;
  const leaderPid = await killAndWait(c, leader);
  d.history.fault({ type: 'fault', atMs: d.now(), action: 'kill', target: leader, ...(leaderPid ? { pid: leaderPid } : {}), shardIds: [shard.shardId], detail: `leader of ${shard.shardId} (epoch ${shard.epoch}), while its follower ${node} is corrupt` });
  const from = logSize(logFile);
  const upAtMs = d.now();
  c.retire(leader); // the leader stays down while the corrupt follower comes back
  try {
    await c.up();
    d.history.fault({ type: 'fault', atMs: upAtMs, action: 'restart', target: node, detail: `restarted on corrupted files; healthy after ${d.now() - upAtMs} ms` });
  } catch (err) {
    d.history.fault({ type: 'fault', atMs: upAtMs, action: 'restart', target: node, detail: `up failed: ${(err as Error).message.slice(0, 500)}` });
  } finally {
    c.activate(leader);
  }
  if (flips.length === 0) { d.log(`corrupt-follower: ${node} had no LevelDB file to corrupt`); return; }
  const line = detectionLine(logFile, from);
  d.history.disk({ type: 'corruption-detection', atMs: d.now(), node, detected: line !== undefined, ...(line ? { line: line.slice(0, 1000) } : {}) });
  d.log(`corrupt-follower: ${node} ${line ? 'reported the corruption' : 'did NOT report any corruption'}`);
}

// The benchmark's phases for shard-count scaling (scripts/bench.mjs runs
// them; `b` is what they use of it: cfg, log, round, until, makeClient,
// createStream, deleteStream and the phase statistics helpers):
//
// - pacedPutPhase: puts at a fixed rate (half of the measured sustained
//   rate), open loop, for the latency below saturation;
// - idleCost: a stream of many open shards nobody writes to, CPU per node
//   and resident memory per shard.
import { setTimeout as sleep } from 'node:timers/promises';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { cpuMs, cpuSnapshot, replicasOf, rssBytes } from './bench-process-cost.mjs';

/** Calls at most this many times the concurrency in flight before the paced phase counts a call as refused. */
const PACED_IN_FLIGHT_FACTOR = 4;
/** After the idle stream's replicas are open, their opening burst settles for this long before measuring. */
const IDLE_SETTLE_MS = 2_000;
/**
 * Before the idle stream is made, the nodes may still be busy with earlier
 * phases' leftovers (deleting big streams' data, LevelDB compactions): the
 * phase waits until every node uses under IDLE_QUIET_PERCENT of a core over
 * an IDLE_QUIET_WINDOW_MS window, for at most IDLE_QUIET_WAIT_MS, and
 * reports that last window as the nodes' CPU without the idle shards.
 */
const IDLE_QUIET_PERCENT = 2;
const IDLE_QUIET_WINDOW_MS = 3_000;
const IDLE_QUIET_WAIT_MS = 120_000;
/** Replicas per shard, one per AZ: every node of a one-node-per-AZ cluster holds one of each. */
const REPLICAS_PER_SHARD = 3;

/**
 * Puts at a fixed rate of `mbPerSec` for durationMs (calls started on a
 * clock, not when the previous one ends: open loop), at most 4 x
 * concurrency in flight (a call that would exceed it counts as an error).
 * What the latency is below saturation.
 */
export async function pacedPutPhase(b, client, streamName, mbPerSec, durationMs) {
  const { cfg, newPhaseStats, sample, noteError, noteAcknowledged } = b;
  const stats = newPhaseStats();
  const starts = new Map();
  const perShard = new Map();
  const data = Buffer.alloc(cfg.recordBytes, 0x62);
  const callMb = (cfg.recordsPerCall * cfg.recordBytes) / 1e6;
  const intervalMs = (callMb / Math.max(mbPerSec, 1e-6)) * 1000;
  const inFlightMax = cfg.concurrency * PACED_IN_FLIGHT_FACTOR;
  let inFlight = 0;
  let keyCounter = 0;
  const calls = [];
  const began = Date.now();
  for (let i = 0; began + i * intervalMs < began + durationMs; i++) {
    const wait = began + i * intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (inFlight >= inFlightMax) { noteError(stats, new Error('paced load: too many calls in flight')); continue; }
    const records = [];
    for (let r = 0; r < cfg.recordsPerCall; r++) records.push({ Data: data, PartitionKey: `half-${keyCounter++}` });
    inFlight++;
    const startNs = process.hrtime.bigint();
    calls.push(client.send(new PutRecordsCommand({ StreamName: streamName, Records: records })).then(
      (r) => { sample(stats, startNs); noteAcknowledged(r.Records ?? [], stats, starts, perShard); },
      (err) => { sample(stats, startNs); noteError(stats, err); },
    ).finally(() => { inFlight--; }));
  }
  await Promise.all(calls);
  stats.elapsedMs = Date.now() - began;
  return stats;
}

/** Percent of one core each node used since `cpu` (a cpuSnapshot taken `ms` ago); undefined where unreadable. */
function cpuPercents(nodes, cpu, ms, round) {
  return nodes.map((n) => {
    const start = cpu.get(n.name);
    const end = cpuMs(n.pid);
    return { node: n.name, cpuPercent: start === undefined || end === undefined ? undefined : round(((end - start) / ms) * 100, 2) };
  });
}

/**
 * Waits as IDLE_QUIET_* says, with `quietPercent` for IDLE_QUIET_PERCENT
 * (`what`: the phase, for the log); returns
 * { waitedSec, perNode: [{ node, cpuPercent }] } of the last window.
 */
export async function waitForQuietNodes(nodes, round, log, what = 'idle', quietPercent = IDLE_QUIET_PERCENT) {
  const began = Date.now();
  for (;;) {
    const cpu = cpuSnapshot(nodes);
    await sleep(IDLE_QUIET_WINDOW_MS);
    const perNode = cpuPercents(nodes, cpu, IDLE_QUIET_WINDOW_MS, round);
    const waitedSec = round((Date.now() - began) / 1000, 1);
    if (perNode.every((n) => n.cpuPercent !== undefined && n.cpuPercent < quietPercent) || Date.now() - began >= IDLE_QUIET_WAIT_MS) return { waitedSec, perNode };
    log(`${what}: nodes still busy with earlier phases (${perNode.map((n) => `${n.node} ${n.cpuPercent}%`).join(', ')}); waiting`);
  }
}

/**
 * The idle cost: a stream of cfg.idleShards shards that nobody writes to.
 * Once every node holds its replicas, CPU per node over cfg.idleMs (% of one
 * core) and resident memory per shard (node RSS growth since before the
 * stream / shards), per node.
 */
export async function idleCost(b, endpoint, processes) {
  const { cfg, log, round, until, makeClient, createStream, deleteStream } = b;
  const nodes = processes.filter((p) => p.role === 'storage-node');
  if (nodes.length === 0) throw new Error('no storage node processes found (cluster.json)');
  const client = makeClient(endpoint, 'h1');
  try {
    const quiet = await waitForQuietNodes(nodes, round, log);
    const rssBefore = new Map(nodes.map((n) => [n.name, rssBytes(n.pid)]));
    const replicasBefore = new Map();
    for (const n of nodes) replicasBefore.set(n.name, (await replicasOf(n.healthUrl)) ?? 0);
    const streamName = `bench-idle-${Date.now()}`;
    log(`idle: creating ${cfg.idleShards} shards`);
    await createStream(client, streamName, cfg.idleShards);
    await until('every node holds its idle replicas', async () => {
      let held = 0;
      for (const n of nodes) held += ((await replicasOf(n.healthUrl)) ?? 0) - replicasBefore.get(n.name);
      return held >= cfg.idleShards * REPLICAS_PER_SHARD;
    });
    await sleep(IDLE_SETTLE_MS);
    const cpu = cpuSnapshot(nodes);
    const began = Date.now();
    await sleep(cfg.idleMs);
    const seconds = (Date.now() - began) / 1000;
    const cpuPerNode = cpuPercents(nodes, cpu, seconds * 1000, round);
    const perNode = nodes.map((n, i) => {
      const after = rssBytes(n.pid);
      const replicas = cfg.idleShards; // every node holds one replica of each shard (one node per AZ)
      return {
        ...cpuPerNode[i],
        bytesPerShard: after === undefined || rssBefore.get(n.name) === undefined ? undefined : Math.round((after - rssBefore.get(n.name)) / replicas),
      };
    });
    await deleteStream(client, streamName);
    return { shards: cfg.idleShards, seconds: round(seconds, 1), perNode, before: quiet };
  } finally {
    client.destroy();
  }
}


// Throughput benchmark: shoal (replicated, limits off) against kinesalite
// (in-memory, unreplicated), both driven by the real AWS SDK v3 client.
//
// For each target and shard count: create a stream, drive PutRecords (N
// records of B bytes per call, C calls in flight) for a fixed duration, then
// read everything back with GetRecords (every shard, split into chunks at
// known sequence numbers so C reads are in flight), then put again at half
// of the measured rate (paced, open loop) to see latency below saturation;
// print records/s, MB/s (10^6 bytes of record data), p50/p99 call latency
// and, for shoal, CPU ms per MB of the api and of the storage nodes (sum)
// per phase. Before the measured phases, each stream gets an unmeasured
// warm-up (--warmup-sec of puts, then a read of them), so every process has
// compiled its hot code. Before its first stream, each server (kinesalite,
// each shoal cluster) also takes --server-warmup-sec of puts on a stream
// deleted afterwards: a fresh shoal cluster's processes take 20 to 30 s of
// load to grow their memory to its working size (batch caches, LevelDB
// memtables, V8 heaps), and until then page faults on new memory cost its
// storage nodes 15 to 17% more CPU per MB (measured 2026-12-04). And
// before each shoal stream is measured, the storage nodes must be quiet
// (each under 5% of a core; waited for at most 2 minutes, printed): they
// delete an earlier phase's stream data in the background. So the figures
// are steady-state throughput, for both targets alike. kinesalite runs at
// --kinesalite-shards (4, its best).
//
// Then, on a fresh cluster, the idle cost: a stream of --idle-shards open
// shards nobody writes to, every node holding a replica of each: CPU per
// node over --idle-sec and resident memory per shard (node RSS growth /
// shards), made once the nodes are quiet (each under 2% of a core, waiting
// at most 2 minutes; printed). Not on the cluster the put phases used:
// there each node's RSS still moved with their garbage, and a GC returning
// memory during the phase made the figure negative. Last, the fsync
// comparison: a second cluster with the other --fsync setting, puts at
// --fsync-shards, and the ratio of the two (when --shards lacks that count,
// the phase measures it on a cluster with the first setting too).
//
// Usage: scripts/bench [--duration-sec 20] [--warmup-sec 3] [--server-warmup-sec 30] [--concurrency 8] [--shards 4[,32,128,512]]
//   [--record-bytes 1024] [--records-per-call 500] [--port-base 20500] [--half-load-sec 10]
//   [--kinesalite-shards 4] [--idle-shards 1000] [--idle-sec 10] [--fsync on] [--fsync-shards 128]
//   [--targets kinesalite,shoal,shoal-h2] [--fanout-consumers 5] [--fanout-shards 0] [--fanout-warmup-sec 10]
//   [--fanout-clients sdk,light] [--json]
//   (--half-load-sec 0, --idle-shards 0, --fsync-shards 0 skip those phases)
//
// Shoal targets also run the fan-out phase (scripts/bench-fanout.mjs) after
// the first shard count:
// --fanout-consumers consumers subscribed to every shard while puts run at
// half the put phase's rate; delivery latency p50/p99 and delivered MB/s
// (0 consumers skips it), measured after --fanout-warmup-sec of the same
// load (each consumer's worker thread starts with cold code: the first 5 to
// 7 s of a phase had a p99 of 300 to 800 ms on a warm cluster, whichever
// stream; every record of the warm-up is still checked for delivery). Its
// stream has --fanout-shards shards; 0 (the default) sizes it as Kinesis
// must for that rate: enough shards that none takes more than a shard's
// write limit (1 MiB/s, 1000 records/s), and at least the first shard
// count. (A 4-shard stream at 15 MB/s of puts is what Kinesis refuses, and
// each consumer would need 3.75 MB/s per shard, beyond the 2 MiB/s per
// shard that SubscribeToShard gives.) The phase runs once per
// --fanout-clients kind, each on a stream of its own: `sdk`, consumers
// with the AWS SDK's client (what applications use), and `light`, a light
// client (node:http2 or node:http, the event-stream framing, JSON.parse,
// of each record only its id and length) that measures the cluster's
// delivery with less of the consumers' CPU on the cores the cluster and
// the producer share.
//
// Ports used: port-base (shoal api), +1 and +2 (etcd client and peer),
// +10 as `scripts/cluster up --port-base` (nodes at +10.., their HTTP at
// +110.., the controller at +210), +300 (kinesalite). Everything
// this script starts is stopped (kinesalite by pid, the cluster with
// `scripts/cluster down`) on success, error, SIGINT or SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand,
  KinesisClient, ListShardsCommand, ListStreamsCommand, PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DRAIN_WAIT_MS, fanOutLines, fanOutPhase } from './bench-fanout.mjs';
import { clusterProcesses, cpuPerMb, cpuSnapshot } from './bench-process-cost.mjs';
import { idleCost, pacedPutPhase, waitForQuietNodes } from './bench-scale.mjs';
import { parseFlags } from './lib/flags.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLUSTER_SCRIPT = path.join(ROOT, 'scripts', 'cluster');
const CLUSTER_MAIN = path.join(ROOT, 'packages', 'cli', 'dist', 'src', 'main.js');
const KINESALITE_DIR = path.join(ROOT, 'node_modules', 'kinesalite');

const READY_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 100;
const STOP_TIMEOUT_MS = 5_000;
/** `scripts/cluster` may build the repository first. */
const CLUSTER_CMD_TIMEOUT_MS = 600_000;
const REQUEST_TIMEOUT_MS = 30_000;
const GET_RECORDS_LIMIT = 10_000;
/** A reader gives up after this many empty GetRecords answers in a row. */
const EMPTY_READS_MAX = 50;
/** Latency samples kept per phase (calls beyond it still count, unsampled). */
const LATENCY_SAMPLES_MAX = 1_000_000;
const KINESALITE_PORT_OFFSET = 300;
const ALL_TARGETS = ['kinesalite', 'shoal', 'shoal-h2'];
/** Kinesis' write limit per shard (bytes of data and partition keys, and records, per second). */
const SHARD_WRITE_BYTES_PER_SEC = 1024 * 1024;
const SHARD_WRITE_RECORDS_PER_SEC = 1000;
/** Before a shoal stream is measured, every storage node must use under this much of a core (waitForQuietCluster). */
const QUIET_BEFORE_PHASE_PERCENT = 5;
/** About the length of the fan-out phase's partition keys (`fo-<id>`). */
const FANOUT_PARTITION_KEY_BYTES = 10;

const { values: flags } = parseFlags(import.meta.url, {
  'duration-sec': { type: 'string', default: '20' },
  'warmup-sec': { type: 'string', default: '3' },
  'server-warmup-sec': { type: 'string', default: '30' },
  concurrency: { type: 'string', default: '8' },
  shards: { type: 'string', default: '4' },
  'kinesalite-shards': { type: 'string', default: '4' },
  'half-load-sec': { type: 'string', default: '10' },
  'idle-shards': { type: 'string', default: '1000' },
  'idle-sec': { type: 'string', default: '10' },
  fsync: { type: 'string', default: 'on' },
  'fsync-shards': { type: 'string', default: '128' },
  'record-bytes': { type: 'string', default: '1024' },
  'records-per-call': { type: 'string', default: '500' },
  'port-base': { type: 'string', default: '20500' },
  targets: { type: 'string', default: ALL_TARGETS.join(',') },
  'fanout-consumers': { type: 'string', default: '5' },
  'fanout-shards': { type: 'string', default: '0' },
  'fanout-warmup-sec': { type: 'string', default: '10' },
  'fanout-clients': { type: 'string', default: 'sdk,light' },
  json: { type: 'boolean', default: false },
});
const cfg = {
  durationMs: positiveInt('duration-sec') * 1000,
  warmupMs: nonNegativeInt('warmup-sec') * 1000,
  serverWarmupMs: nonNegativeInt('server-warmup-sec') * 1000,
  concurrency: positiveInt('concurrency'),
  shardCounts: positiveIntList('shards'),
  kinesaliteShards: positiveInt('kinesalite-shards'),
  halfLoadMs: nonNegativeInt('half-load-sec') * 1000,
  idleShards: nonNegativeInt('idle-shards'),
  idleMs: positiveInt('idle-sec') * 1000,
  fsync: flags.fsync === 'off' ? 'off' : 'on',
  fsyncShards: nonNegativeInt('fsync-shards'),
  recordBytes: positiveInt('record-bytes'),
  recordsPerCall: Math.min(positiveInt('records-per-call'), 500),
  portBase: positiveInt('port-base'),
  targets: flags.targets.split(',').filter((t) => t !== ''),
  fanoutConsumers: nonNegativeInt('fanout-consumers'),
  fanoutShards: nonNegativeInt('fanout-shards'),
  fanoutWarmupMs: nonNegativeInt('fanout-warmup-sec') * 1000,
  fanoutClients: flags['fanout-clients'].split(',').filter((c) => c !== ''),
  json: flags.json,
};
for (const c of cfg.fanoutClients) if (c !== 'sdk' && c !== 'light') fail(`--fanout-clients takes sdk and light, not ${c}`);
for (const t of cfg.targets) if (!ALL_TARGETS.includes(t)) fail(`unknown target ${t}; known: ${ALL_TARGETS.join(', ')}`);

function nonNegativeInt(name) {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got ${flags[name]}`);
  return n;
}

function positiveIntList(name) {
  const list = flags[name].split(',').map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) fail(`--${name} must be positive integers separated by commas, got ${flags[name]}`);
  return list;
}

function positiveInt(name) {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got ${flags[name]}`);
  return n;
}

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

// ---------------------------------------------------------------- processes

/** Cleanups of what this run started, newest first. */
const cleanups = [];

async function runCleanups() {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try { await cleanup(); } catch (err) { log(`cleanup failed: ${err.message}`); }
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void runCleanups().finally(() => process.exit(130));
  });
}

async function stopChild(child, name) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (timedOut) {
    log(`${name} (pid ${child.pid}) ignored SIGTERM; killing`);
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}

async function startKinesalite(port) {
  // cli.js cannot bind to loopback only, so start the library directly.
  const code = `require(${JSON.stringify(KINESALITE_DIR)})({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100000 }).listen(${port}, '127.0.0.1')`;
  if (await canConnect(port)) throw new Error(`port ${port} is already in use (see --port-base)`);
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit'] });
  cleanups.push(() => stopChild(child, 'kinesalite'));
  let exited = false;
  child.once('exit', () => { exited = true; });
  await until('kinesalite', () => {
    if (exited) throw new Error(`kinesalite exited with ${child.exitCode ?? child.signalCode}`);
    return canConnect(port);
  }, { fatal: true });
  return `http://127.0.0.1:${port}`;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function runCluster(args) {
  const result = spawnSync(CLUSTER_SCRIPT, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: CLUSTER_CMD_TIMEOUT_MS });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`scripts/cluster ${args[0]} exited with ${result.status ?? result.signal}`);
}

/** Starts a cluster with the storage nodes' --fsync `fsync`; returns its endpoint and its processes (bench-process-cost.mjs). */
async function startShoal(portBase, fsync) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => runCluster(['down', '--data', dataDir]));
  runCluster(['up', '--data', dataDir, '--port', String(portBase), '--etcd-port', String(portBase + 1),
    '--port-base', String(portBase + 10), '--limits', 'off', '--tls-port', 'off', '--fsync', fsync]);
  return { endpoint: `http://127.0.0.1:${portBase}`, processes: clusterProcesses(dataDir) };
}

// ---------------------------------------------------------------- clients

function makeClient(endpoint, protocol) {
  const options = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
    maxAttempts: 1,
  };
  if (protocol === 'h1') {
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: cfg.concurrency * 2 });
    options.requestHandler = new NodeHttpHandler({ httpAgent, requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: REQUEST_TIMEOUT_MS });
  }
  return new KinesisClient(options);
}

/** Polls `check` until it returns true; errors count as "not yet" unless `fatal`. */
async function until(what, check, { fatal = false } = {}) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = 'timed out';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      if (fatal) throw err;
      lastError = err.message;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms: ${lastError}`);
}

async function createStream(client, streamName, shards) {
  await until('api', async () => { await client.send(new ListStreamsCommand({})); return true; });
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
  await until(`stream ${streamName}`, async () => {
    const r = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return r.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
}

/** Deletes a stream and waits until it is gone (its shards leave the account's shard count). */
async function deleteStream(client, streamName) {
  // The fan-out phase leaves its consumers registered: they go with the stream.
  await client.send(new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true }));
  await until(`stream ${streamName} deleted`, async () => {
    try {
      await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      return false;
    } catch (err) {
      if (err.name === 'ResourceNotFoundException') return true;
      throw err;
    }
  });
}

// ---------------------------------------------------------------- phases

function newPhaseStats() {
  return { calls: 0, records: 0, bytes: 0, errors: 0, firstError: undefined, latenciesMs: [], elapsedMs: 0 };
}

function sample(stats, startNs) {
  const ms = Number(process.hrtime.bigint() - startNs) / 1e6;
  stats.calls += 1;
  if (stats.latenciesMs.length < LATENCY_SAMPLES_MAX) stats.latenciesMs.push(ms);
}

function noteError(stats, err) {
  stats.errors += 1;
  stats.firstError ??= `${err.name}: ${err.message}`;
}

/** Puts for durationMs; returns stats and, per shard, the sequence numbers that start each call's records there. */
async function putPhase(client, streamName, durationMs) {
  const stats = newPhaseStats();
  const starts = new Map(); // shardId -> bigint[] (first sequence number of each call on that shard)
  const perShard = new Map(); // shardId -> records acknowledged
  const data = Buffer.alloc(cfg.recordBytes, 0x61);
  let keyCounter = 0;
  const began = Date.now();
  const deadline = began + durationMs;
  const worker = async () => {
    while (Date.now() < deadline) {
      const records = [];
      for (let i = 0; i < cfg.recordsPerCall; i++) records.push({ Data: data, PartitionKey: `pk-${keyCounter++}` });
      const startNs = process.hrtime.bigint();
      try {
        const r = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: records }));
        sample(stats, startNs);
        noteAcknowledged(r.Records ?? [], stats, starts, perShard);
      } catch (err) {
        sample(stats, startNs);
        noteError(stats, err);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  stats.elapsedMs = Date.now() - began;
  return { stats, starts, perShard };
}

function noteAcknowledged(results, stats, starts, perShard) {
  const seen = new Set();
  for (const rec of results) {
    if (rec.ErrorCode) {
      stats.errors += 1;
      stats.firstError ??= `${rec.ErrorCode}: ${rec.ErrorMessage}`;
      continue;
    }
    stats.records += 1;
    stats.bytes += cfg.recordBytes;
    perShard.set(rec.ShardId, (perShard.get(rec.ShardId) ?? 0) + 1);
    if (!seen.has(rec.ShardId)) {
      seen.add(rec.ShardId);
      if (!starts.has(rec.ShardId)) starts.set(rec.ShardId, []);
      starts.get(rec.ShardId).push(BigInt(rec.SequenceNumber));
    }
  }
}

/** Splits each shard into read chunks [from, to) at known sequence numbers so about cfg.concurrency reads run at once. */
function planChunks(shardIds, starts) {
  const perShardChunks = Math.max(1, Math.ceil(cfg.concurrency / Math.max(shardIds.length, 1)));
  const chunks = [];
  for (const shardId of shardIds) {
    const points = (starts.get(shardId) ?? []).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (points.length === 0) continue;
    const cuts = [];
    for (let i = 0; i < perShardChunks; i++) {
      const p = points[Math.floor((i * points.length) / perShardChunks)];
      if (cuts.length === 0 || cuts[cuts.length - 1] !== p) cuts.push(p);
    }
    cuts.forEach((from, i) => chunks.push({ shardId, from, to: cuts[i + 1] }));
  }
  return chunks;
}

async function readChunk(client, streamName, chunk, stats) {
  const it = await client.send(new GetShardIteratorCommand({
    StreamName: streamName, ShardId: chunk.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: chunk.from.toString(),
  }));
  let iterator = it.ShardIterator;
  let empty = 0;
  while (iterator && empty < EMPTY_READS_MAX) {
    const startNs = process.hrtime.bigint();
    let r;
    try {
      r = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }));
    } catch (err) {
      sample(stats, startNs);
      noteError(stats, err);
      return;
    }
    sample(stats, startNs);
    const records = r.Records ?? [];
    for (const rec of records) {
      if (chunk.to !== undefined && BigInt(rec.SequenceNumber) >= chunk.to) return;
      stats.records += 1;
      stats.bytes += rec.Data?.length ?? 0;
    }
    // The last chunk of a shard ends where the data ends.
    empty = records.length === 0 ? empty + 1 : 0;
    if (records.length === 0 && chunk.to === undefined && r.MillisBehindLatest === 0) return;
    iterator = r.NextShardIterator;
  }
}

async function getPhase(client, streamName, starts) {
  const stats = newPhaseStats();
  const listed = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const chunks = planChunks((listed.Shards ?? []).map((s) => s.ShardId), starts);
  const began = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++];
      try {
        await readChunk(client, streamName, chunk, stats);
      } catch (err) {
        noteError(stats, err);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  stats.elapsedMs = Date.now() - began;
  return stats;
}

// ---------------------------------------------------------------- report

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarize(stats) {
  const sorted = [...stats.latenciesMs].sort((a, b) => a - b);
  const sec = Math.max(stats.elapsedMs, 1) / 1000;
  return {
    calls: stats.calls,
    records: stats.records,
    errors: stats.errors,
    firstError: stats.firstError,
    seconds: round(sec, 2),
    recordsPerSec: round(stats.records / sec, 0),
    mbPerSec: round(stats.bytes / sec / 1e6, 2),
    p50Ms: round(percentile(sorted, 50), 1),
    p99Ms: round(percentile(sorted, 99), 1),
  };
}

/**
 * Cores each part used on average since `before` (the whole fan-out phase,
 * drain included): the api, the storage nodes together, and this process
 * (the producer and the consumers' worker threads).
 */
function coresUsed(processes, before) {
  const wallMs = Math.max(1, Date.now() - before.atMs);
  // CPU ms per wall second, per role (cpuPerMb divides by whatever amount it is given).
  const perRole = cpuPerMb(processes, before.cluster, wallMs / 1000);
  const client = process.cpuUsage(before.client);
  return {
    api: perRole ? round(perRole.api / 1000, 2) : undefined,
    nodes: perRole ? round(perRole.nodes / 1000, 2) : undefined,
    client: round((client.user + client.system) / 1000 / wallMs, 2),
  };
}

/**
 * Shards a Kinesis stream needs for puts at `mbPerSec` (10^6 bytes of data
 * per second) of the bench's records: each shard takes at most 1 MiB/s
 * (data and partition keys) and 1000 records/s.
 */
function kinesisShardsFor(mbPerSec) {
  const recordsPerSec = (mbPerSec * 1e6) / cfg.recordBytes;
  const bytesPerSec = recordsPerSec * (cfg.recordBytes + FANOUT_PARTITION_KEY_BYTES);
  return Math.ceil(Math.max(bytesPerSec / SHARD_WRITE_BYTES_PER_SEC, recordsPerSec / SHARD_WRITE_RECORDS_PER_SEC));
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function benchTarget(name, endpoint, protocol, shards, processes = []) {
  const client = makeClient(endpoint, protocol);
  try {
    const streamName = `bench-${name}-${shards}-${Date.now()}`;
    await waitForQuietCluster(processes, `${name} ${shards} shards`);
    await createStream(client, streamName, shards);
    if (cfg.warmupMs > 0) {
      log(`${name} ${shards} shards: warming up for ${cfg.warmupMs / 1000} s (not measured)`);
      const warm = await putPhase(client, streamName, cfg.warmupMs);
      await getPhase(client, streamName, warm.starts);
    }
    log(`${name} ${shards} shards: putting for ${cfg.durationMs / 1000} s`);
    let cpu = cpuSnapshot(processes);
    const put = await putPhase(client, streamName, cfg.durationMs);
    const putCpu = cpuPerMb(processes, cpu, put.stats.bytes / 1e6);
    log(`${name} ${shards} shards: reading back ${put.stats.records} records`);
    cpu = cpuSnapshot(processes);
    const get = await getPhase(client, streamName, put.starts);
    const getCpu = cpuPerMb(processes, cpu, get.bytes / 1e6);
    const result = { target: name, shards, put: summarize(put.stats), get: summarize(get) };
    if (processes.length > 0) result.cpuMsPerMb = { put: putCpu, get: getCpu };
    if (get.records !== put.stats.records) result.mismatch = `wrote ${put.stats.records} records, read ${get.records}`;
    if (cfg.halfLoadMs > 0) {
      const rate = result.put.mbPerSec / 2;
      log(`${name} ${shards} shards: putting at half that rate (${round(rate, 2)} MB/s) for ${cfg.halfLoadMs / 1000} s`);
      result.half = summarize(await pacedPutPhase(helpers(), client, streamName, rate, cfg.halfLoadMs));
    }
    const fanOut = cfg.fanoutConsumers > 0 && name.startsWith('shoal') && shards === cfg.shardCounts[0];
    const fanShards = cfg.fanoutShards > 0 ? cfg.fanoutShards : Math.max(shards, kinesisShardsFor(result.put.mbPerSec / 2));
    for (const kind of fanOut ? cfg.fanoutClients : []) {
      const fanStream = `${streamName}-fanout-${kind}`;
      await createStream(client, fanStream, fanShards);
      const cpuBefore = { cluster: cpuSnapshot(processes), client: process.cpuUsage(), atMs: Date.now() };
      const fanout = await fanOutPhase({
        endpoint, protocol, client: kind, putClient: client, streamName: fanStream, putMbPerSec: result.put.mbPerSec,
        warmupMs: cfg.fanoutWarmupMs, durationMs: cfg.durationMs, consumers: cfg.fanoutConsumers,
        recordBytes: cfg.recordBytes, recordsPerCall: cfg.recordsPerCall, concurrency: cfg.concurrency, log: (m) => log(`${name} ${fanShards} shards: ${m}`),
      });
      fanout.cores = coresUsed(processes, cpuBefore);
      await deleteStream(client, fanStream);
      (result.fanouts ??= []).push(fanout);
      if (fanout.missing > 0) {
        const missed = `fan-out (${kind} client): ${fanout.missing} deliveries not made within ${DRAIN_WAIT_MS / 1000} s of the last put`;
        result.mismatch = result.mismatch ? `${result.mismatch}; ${missed}` : missed;
      }
    }
    if (name.startsWith('shoal')) await deleteStream(client, streamName);
    return result;
  } finally {
    client.destroy();
  }
}

/**
 * Waits until the storage nodes among `processes` (none for kinesalite) are
 * quiet (waitForQuietNodes) at QUIET_BEFORE_PHASE_PERCENT: deleting an
 * earlier stream's data takes a good part of a core, while a cluster with
 * nothing to do hovers around 2% (its leases, metadata watch and metrics).
 */
async function waitForQuietCluster(processes, what) {
  const nodes = processes.filter((p) => p.role === 'storage-node');
  if (nodes.length > 0) await waitForQuietNodes(nodes, round, log, what, QUIET_BEFORE_PHASE_PERCENT);
}

/** --server-warmup-sec of puts on a throwaway stream of `shards` shards, before a server's first measured stream. */
async function serverWarmup(name, endpoint, protocol, shards) {
  if (cfg.serverWarmupMs === 0) return;
  const client = makeClient(endpoint, protocol);
  try {
    const streamName = `bench-warmup-${name}-${Date.now()}`;
    await createStream(client, streamName, shards);
    log(`${name}: warming the server up for ${cfg.serverWarmupMs / 1000} s (not measured)`);
    await putPhase(client, streamName, cfg.serverWarmupMs);
    await deleteStream(client, streamName);
  } finally {
    client.destroy();
  }
}

function printTable(results, extras) {
  const rows = [['target', 'shards', 'phase', 'records', 'rec/s', 'MB/s', 'p50 ms', 'p99 ms', 'calls', 'errors', 'cpu ms/MB api', 'cpu ms/MB nodes']];
  for (const r of results) {
    for (const phase of ['put', 'get', 'half']) {
      const s = r[phase];
      if (!s) continue;
      const cpu = r.cpuMsPerMb?.[phase];
      rows.push([r.target, r.shards, phase === 'half' ? 'put at half rate' : phase, s.records, s.recordsPerSec, s.mbPerSec, s.p50Ms, s.p99Ms, s.calls, s.errors,
        cpu?.api ?? '-', cpu?.nodes ?? '-'].map(String));
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(`${cfg.recordsPerCall} x ${cfg.recordBytes} B per PutRecords, ${cfg.concurrency} calls in flight; shoal nodes --fsync ${cfg.fsync}; ` +
    `measured ${cfg.durationMs / 1000} s per target and shard count after ${cfg.warmupMs / 1000} s of unmeasured warm-up ` +
    `(and ${cfg.serverWarmupMs / 1000} s per server before its first stream); ${os.cpus().length} CPUs\n`);
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padStart(widths[i])).join('  ')}\n`);
  for (const r of results) {
    if (r.mismatch) process.stdout.write(`WARNING ${r.target} ${r.shards}: ${r.mismatch}\n`);
    for (const phase of ['put', 'get', 'half']) if (r[phase]?.firstError) process.stdout.write(`${r.target} ${r.shards} ${phase} first error: ${r[phase].firstError}\n`);
  }
  for (const line of ratios(results)) process.stdout.write(`${line}\n`);
  for (const line of fanOutLines(results)) process.stdout.write(`${line}\n`);
  if (extras.idle) {
    const i = extras.idle;
    const cpu = i.perNode.map((n) => `${n.node} ${n.cpuPercent ?? '?'}%`).join(', ');
    const mem = i.perNode.map((n) => `${n.node} ${n.bytesPerShard === undefined ? '?' : round(n.bytesPerShard / 1024, 1)} KiB`).join(', ');
    const before = i.before.perNode.map((n) => `${n.node} ${n.cpuPercent ?? '?'}%`).join(', ');
    process.stdout.write(`idle: ${i.shards} open shards, nobody writing, ${i.seconds} s: CPU of one core per node: ${cpu}; memory per shard: ${mem}` +
      ` (before the stream, after waiting ${i.before.waitedSec} s for the fresh cluster's nodes to be quiet: ${before})\n`);
  }
  if (extras.fsync) {
    const f = extras.fsync;
    process.stdout.write(`fsync at ${f.shards} shards: put ${f.on} MB/s with --fsync on, ${f.off} MB/s with --fsync off: on/off = ${f.ratio}x\n`);
  }
}

function ratios(results) {
  const base = results.find((r) => r.target === 'kinesalite');
  const lines = [];
  for (const r of results.filter((x) => x !== base)) {
    if (base) {
      const put = base.put.mbPerSec > 0 ? round(r.put.mbPerSec / base.put.mbPerSec, 2) : 'n/a';
      const get = base.get.mbPerSec > 0 ? round(r.get.mbPerSec / base.get.mbPerSec, 2) : 'n/a';
      lines.push(`${r.target} ${r.shards} shards / kinesalite ${base.shards} shards: put ${put}x, get ${get}x`);
    }
    const first = results.find((x) => x.target === r.target);
    if (first !== r && first.put.mbPerSec > 0) lines.push(`${r.target} ${r.shards} shards / ${first.shards} shards: put ${round(r.put.mbPerSec / first.put.mbPerSec, 2)}x, get ${round(r.get.mbPerSec / first.get.mbPerSec, 2)}x`);
  }
  return lines;
}

/** What the phases in bench-scale.mjs use of this script. */
function helpers() {
  return { cfg, log, round, until, makeClient, createStream, deleteStream, newPhaseStats, sample, noteError, noteAcknowledged };
}

// ---------------------------------------------------------------- main

/** Runs `targets` at each shard count against one started system; a failure is recorded per run so other results still print. */
async function benchGroup(results, targets, shardCounts, start, protocolOf) {
  try {
    const { endpoint, processes } = await start();
    await serverWarmup(targets[0], endpoint, protocolOf(targets[0]), shardCounts[0]);
    for (const shards of shardCounts) {
      for (const t of targets) {
        try {
          results.push(await benchTarget(t, endpoint, protocolOf(t), shards, processes));
        } catch (err) {
          results.push({ target: t, shards, error: `${err.name}: ${err.message}` });
        }
      }
    }
  } catch (err) {
    for (const t of targets) results.push({ target: t, shards: shardCounts.join(','), error: `could not start: ${err.message}` });
  } finally {
    await runCleanups();
  }
}

async function main() {
  const results = [];
  const extras = {};
  if (cfg.targets.includes('kinesalite')) {
    await benchGroup(results, ['kinesalite'], [cfg.kinesaliteShards], async () => ({ endpoint: await startKinesalite(cfg.portBase + KINESALITE_PORT_OFFSET), processes: [] }), () => 'h1');
  }
  const shoalTargets = cfg.targets.filter((t) => t.startsWith('shoal'));
  const protocolOf = (t) => (t === 'shoal-h2' ? 'h2' : 'h1');
  if (shoalTargets.length > 0 && !(existsSync(CLUSTER_SCRIPT) && existsSync(CLUSTER_MAIN))) {
    for (const t of shoalTargets) results.push({ target: t, error: 'not built: scripts/cluster or packages/cli/dist/src/main.js missing (npm run build)' });
  } else if (shoalTargets.length > 0) {
    await benchGroup(results, shoalTargets, cfg.shardCounts, () => startShoal(cfg.portBase, cfg.fsync), protocolOf);
    if (cfg.idleShards > 0) {
      try {
        const { endpoint, processes } = await startShoal(cfg.portBase, cfg.fsync);
        extras.idle = await idleCost(helpers(), endpoint, processes);
      } catch (err) {
        results.push({ target: 'idle', error: err.message });
      } finally {
        await runCleanups();
      }
    }
    if (cfg.fsyncShards > 0) {
      const other = cfg.fsync === 'on' ? 'off' : 'on';
      // Without that shard count among --shards (the default is 4 alone), this phase measures it itself first.
      let same = results.find((r) => r.target === 'shoal' && r.shards === cfg.fsyncShards && r.error === undefined);
      const sameResults = [];
      if (!same) {
        await benchGroup(sameResults, ['shoal'], [cfg.fsyncShards], () => startShoal(cfg.portBase, cfg.fsync), protocolOf);
        same = sameResults[0]?.error === undefined ? sameResults[0] : undefined;
      }
      const otherResults = [];
      if (same) await benchGroup(otherResults, ['shoal'], [cfg.fsyncShards], () => startShoal(cfg.portBase, other), protocolOf);
      const o = otherResults[0];
      if (!same || o?.error !== undefined) results.push({ target: `fsync ${same ? other : cfg.fsync}`, shards: cfg.fsyncShards, error: (same ? o : sameResults[0])?.error ?? 'no result' });
      else {
        const mb = { [cfg.fsync]: same.put.mbPerSec, [other]: o.put.mbPerSec };
        extras.fsync = { shards: cfg.fsyncShards, on: mb.on, off: mb.off, ratio: mb.off > 0 ? round(mb.on / mb.off, 2) : 'n/a', other: o, ...(sameResults.length > 0 ? { same } : {}) };
      }
    }
  }
  const ok = results.filter((r) => r.error === undefined);
  const failed = results.filter((r) => r.error !== undefined);
  const config = {
    ...cfg, targets: undefined, durationSec: cfg.durationMs / 1000, durationMs: undefined, warmupSec: cfg.warmupMs / 1000, warmupMs: undefined,
    serverWarmupSec: cfg.serverWarmupMs / 1000, serverWarmupMs: undefined, cpus: os.cpus().length,
  };
  if (cfg.json) process.stdout.write(`${JSON.stringify({ config, results, ...extras, ratios: ratios(ok) }, null, 2)}\n`);
  else printTable(ok, extras);
  for (const r of failed) process.stdout.write(`FAILED ${r.target}${r.shards ? ` ${r.shards} shards` : ''}: ${r.error}\n`);
  if (failed.length > 0 || ok.some((r) => r.mismatch)) process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  log(`failed: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}

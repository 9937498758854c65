// Throughput benchmark: shoal (replicated, limits off) against kinesalite
// (in-memory, unreplicated), both driven by the real AWS SDK v3 client.
//
// For each target: create a stream, drive PutRecords (N records of B bytes
// per call, C calls in flight) for a fixed duration, then read everything
// back with GetRecords (every shard, split into chunks at known sequence
// numbers so C reads are in flight), and print records/s, MB/s (10^6 bytes
// of record data) and p50/p99 call latency per phase. Before the measured
// phases, each target gets an unmeasured warm-up (--warmup-sec of puts,
// then a read of them), so every process has compiled its hot code: the
// figures are steady-state throughput, for both targets alike.
//
// Usage: scripts/bench [--duration-sec 20] [--warmup-sec 3] [--concurrency 8] [--shards 4]
//   [--record-bytes 1024] [--records-per-call 500] [--port-base 20500]
//   [--targets kinesalite,shoal,shoal-h2] [--fanout-consumers 5] [--json]
//
// Shoal targets then run the fan-out phase (scripts/bench-fanout.mjs):
// --fanout-consumers consumers subscribed to every shard while puts run at
// half the put phase's rate; delivery latency p50/p99 and delivered MB/s
// (0 consumers skips it).
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
import { parseArgs } from 'node:util';
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand,
  KinesisClient, ListShardsCommand, ListStreamsCommand, PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { fanOutLines, fanOutPhase } from './bench-fanout.mjs';

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

const { values: flags } = parseArgs({
  options: {
    'duration-sec': { type: 'string', default: '20' },
    'warmup-sec': { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    shards: { type: 'string', default: '4' },
    'record-bytes': { type: 'string', default: '1024' },
    'records-per-call': { type: 'string', default: '500' },
    'port-base': { type: 'string', default: '20500' },
    targets: { type: 'string', default: ALL_TARGETS.join(',') },
    'fanout-consumers': { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const cfg = {
  durationMs: positiveInt('duration-sec') * 1000,
  warmupMs: nonNegativeInt('warmup-sec') * 1000,
  concurrency: positiveInt('concurrency'),
  shards: positiveInt('shards'),
  recordBytes: positiveInt('record-bytes'),
  recordsPerCall: Math.min(positiveInt('records-per-call'), 500),
  portBase: positiveInt('port-base'),
  targets: flags.targets.split(',').filter((t) => t !== ''),
  fanoutConsumers: nonNegativeInt('fanout-consumers'),
  json: flags.json,
};
for (const t of cfg.targets) if (!ALL_TARGETS.includes(t)) fail(`unknown target ${t}; known: ${ALL_TARGETS.join(', ')}`);

function nonNegativeInt(name) {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got ${flags[name]}`);
  return n;
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

async function startShoal(portBase) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => runCluster(['down', '--data', dataDir]));
  runCluster(['up', '--data', dataDir, '--port', String(portBase), '--etcd-port', String(portBase + 1),
    '--port-base', String(portBase + 10), '--limits', 'off', '--tls-port', 'off']);
  return `http://127.0.0.1:${portBase}`;
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

async function createStream(client, streamName) {
  await until('api', async () => { await client.send(new ListStreamsCommand({})); return true; });
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: cfg.shards }));
  await until(`stream ${streamName}`, async () => {
    const r = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return r.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
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

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function benchTarget(name, endpoint, protocol) {
  const client = makeClient(endpoint, protocol);
  try {
    const streamName = `bench-${name}-${Date.now()}`;
    await createStream(client, streamName);
    if (cfg.warmupMs > 0) {
      log(`${name}: warming up for ${cfg.warmupMs / 1000} s (not measured)`);
      const warm = await putPhase(client, streamName, cfg.warmupMs);
      await getPhase(client, streamName, warm.starts);
    }
    log(`${name}: putting for ${cfg.durationMs / 1000} s`);
    const put = await putPhase(client, streamName, cfg.durationMs);
    log(`${name}: reading back ${put.stats.records} records`);
    const get = await getPhase(client, streamName, put.starts);
    const result = { target: name, put: summarize(put.stats), get: summarize(get) };
    if (get.records !== put.stats.records) result.mismatch = `wrote ${put.stats.records} records, read ${get.records}`;
    if (cfg.fanoutConsumers > 0 && name.startsWith('shoal')) {
      result.fanout = await fanOutPhase({
        endpoint, protocol, putClient: client, streamName, putMbPerSec: result.put.mbPerSec, durationMs: cfg.durationMs, consumers: cfg.fanoutConsumers,
        recordBytes: cfg.recordBytes, recordsPerCall: cfg.recordsPerCall, concurrency: cfg.concurrency, log: (m) => log(`${name}: ${m}`),
      });
      if (result.fanout.missing > 0) result.mismatch = `fan-out: ${result.fanout.missing} deliveries missing`;
    }
    return result;
  } finally {
    client.destroy();
  }
}

function printTable(results) {
  const rows = [['target', 'phase', 'records', 'rec/s', 'MB/s', 'p50 ms', 'p99 ms', 'calls', 'errors']];
  for (const r of results) {
    for (const phase of ['put', 'get']) {
      const s = r[phase];
      rows.push([r.target, phase, s.records, s.recordsPerSec, s.mbPerSec, s.p50Ms, s.p99Ms, s.calls, s.errors].map(String));
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  process.stdout.write(`${cfg.recordsPerCall} x ${cfg.recordBytes} B per PutRecords, ${cfg.concurrency} calls in flight, ${cfg.shards} shards; ` +
    `measured ${cfg.durationMs / 1000} s per target after ${cfg.warmupMs / 1000} s of unmeasured warm-up\n`);
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padStart(widths[i])).join('  ')}\n`);
  for (const r of results) {
    if (r.mismatch) process.stdout.write(`WARNING ${r.target}: ${r.mismatch}\n`);
    for (const phase of ['put', 'get']) if (r[phase].firstError) process.stdout.write(`${r.target} ${phase} first error: ${r[phase].firstError}\n`);
  }
  for (const line of ratios(results)) process.stdout.write(`${line}\n`);
  for (const line of fanOutLines(results)) process.stdout.write(`${line}\n`);
}

function ratios(results) {
  const base = results.find((r) => r.target === 'kinesalite');
  if (!base) return [];
  return results.filter((r) => r !== base).map((r) => {
    const put = base.put.mbPerSec > 0 ? round(r.put.mbPerSec / base.put.mbPerSec, 2) : 'n/a';
    const get = base.get.mbPerSec > 0 ? round(r.get.mbPerSec / base.get.mbPerSec, 2) : 'n/a';
    return `${r.target}/kinesalite: put ${put}x, get ${get}x`;
  });
}

// ---------------------------------------------------------------- main

/** Runs `targets` against one started system; a failure is recorded per target so other results still print. */
async function benchGroup(results, targets, start, protocolOf) {
  try {
    const endpoint = await start();
    for (const t of targets) {
      try {
        results.push(await benchTarget(t, endpoint, protocolOf(t)));
      } catch (err) {
        results.push({ target: t, error: `${err.name}: ${err.message}` });
      }
    }
  } catch (err) {
    for (const t of targets) results.push({ target: t, error: `could not start: ${err.message}` });
  } finally {
    await runCleanups();
  }
}

async function main() {
  const results = [];
  if (cfg.targets.includes('kinesalite')) {
    await benchGroup(results, ['kinesalite'], () => startKinesalite(cfg.portBase + KINESALITE_PORT_OFFSET), () => 'h1');
  }
  const shoalTargets = cfg.targets.filter((t) => t.startsWith('shoal'));
  if (shoalTargets.length > 0 && !(existsSync(CLUSTER_SCRIPT) && existsSync(CLUSTER_MAIN))) {
    for (const t of shoalTargets) results.push({ target: t, error: 'not built: scripts/cluster or packages/cli/dist/src/main.js missing (npm run build)' });
  } else if (shoalTargets.length > 0) {
    await benchGroup(results, shoalTargets, () => startShoal(cfg.portBase), (t) => (t === 'shoal-h2' ? 'h2' : 'h1'));
  }
  const ok = results.filter((r) => r.error === undefined);
  const failed = results.filter((r) => r.error !== undefined);
  const config = { ...cfg, targets: undefined, durationSec: cfg.durationMs / 1000, durationMs: undefined, warmupSec: cfg.warmupMs / 1000, warmupMs: undefined, cpus: os.cpus().length };
  if (cfg.json) process.stdout.write(`${JSON.stringify({ config, results, ratios: ratios(ok) }, null, 2)}\n`);
  else printTable(ok);
  for (const r of failed) process.stdout.write(`FAILED ${r.target}: ${r.error}\n`);
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

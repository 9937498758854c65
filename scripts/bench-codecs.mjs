// CPU cost of PutRecords by body codec: JSON 1.1 (base64 blobs, what the JS,
// Python and CLI clients send) against CBOR 1.1 (byte-string blobs, what the
// Java SDK and the KCL send), side by side with kinesalite in one run.
//
// For each target (the shoal api of a local cluster, kinesalite) and each
// codec: PutRecords calls of N records of B random bytes, C in flight over
// HTTP/1.1 keep-alive, for D seconds after a warm-up; the server process's
// CPU time (utime + stime from /proc/<pid>/stat) is read before and after,
// and the figure is CPU milliseconds per MB (10^6 bytes) of record data
// accepted, with MB/s beside it. Bodies are encoded once per call shape
// before the run (client CPU is not what is measured); every call is
// checked (HTTP 200, FailedRecordCount 0).
//
// Usage: scripts/bench-codecs [--duration-sec 15] [--warmup-sec 3] [--concurrency 4]
//   [--records-per-call 500] [--record-bytes 1024] [--shards 4] [--port-base 20800] [--json]
// Ports: port-base (api), +1/+2 (etcd), +10.. (nodes, controller), +300 (kinesalite).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Encoder } from 'cbor-x';
import { parseFlags } from './lib/flags.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLUSTER_SCRIPT = path.join(ROOT, 'scripts', 'cluster');
const KINESALITE_DIR = path.join(ROOT, 'node_modules', 'kinesalite');
const CLK_TCK = 100;
const READY_TIMEOUT_MS = 60_000;
const ACTIVE_TIMEOUT_MS = 60_000;
const CLUSTER_CMD_TIMEOUT_MS = 600_000;
const KINESALITE_PORT_OFFSET = 300;
const BODY_VARIANTS = 8;
/** A complete, well-formed SigV4 Authorization: what the api requires without --auth (the signature is not checked). */
const SIGNATURE = {
  authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  'x-amz-date': '20260101T000000Z',
};

const { values: flags } = parseFlags(import.meta.url, {
  'duration-sec': { type: 'string', default: '15' }, 'warmup-sec': { type: 'string', default: '3' },
  concurrency: { type: 'string', default: '4' }, 'records-per-call': { type: 'string', default: '500' },
  'record-bytes': { type: 'string', default: '1024' }, shards: { type: 'string', default: '4' },
  'port-base': { type: 'string', default: '20800' }, json: { type: 'boolean', default: false },
});
const DURATION_MS = Number(flags['duration-sec']) * 1000;
const WARMUP_MS = Number(flags['warmup-sec']) * 1000;
const CONCURRENCY = Number(flags.concurrency);
const RECORDS = Number(flags['records-per-call']);
const RECORD_BYTES = Number(flags['record-bytes']);
const PORT_BASE = Number(flags['port-base']);
const cleanups = [];

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
const cbor = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });

function post(port, target, contentType, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: {
      ...SIGNATURE, host: `127.0.0.1:${port}`, 'content-type': contentType, 'x-amz-target': `Kinesis_20131202.${target}`, 'content-length': body.length,
    } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const jsonCall = (port, target, input) => post(port, target, 'application/x-amz-json-1.1', Buffer.from(JSON.stringify(input)));

/** PutRecords bodies, both codecs, for the same records. */
function bodies(stream) {
  return Array.from({ length: BODY_VARIANTS }, () => {
    const records = Array.from({ length: RECORDS }, () => ({ PartitionKey: randomBytes(8).toString('hex'), Data: randomBytes(RECORD_BYTES) }));
    return {
      json: Buffer.from(JSON.stringify({ StreamName: stream, Records: records.map((r) => ({ PartitionKey: r.PartitionKey, Data: r.Data.toString('base64') })) })),
      cbor: Buffer.from(cbor.encode({ StreamName: stream, Records: records })),
    };
  });
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

async function drive(port, codec, variants, durationMs) {
  const contentType = codec === 'cbor' ? 'application/x-amz-cbor-1.1' : 'application/x-amz-json-1.1';
  const deadline = Date.now() + durationMs;
  let calls = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, worker) => {
    for (let i = worker; Date.now() < deadline; i += CONCURRENCY) {
      const res = await post(port, 'PutRecords', contentType, variants[i % variants.length][codec]);
      if (res.status !== 200) throw new Error(`${codec} PutRecords: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
      if (codec === 'json' && JSON.parse(res.body.toString('utf8')).FailedRecordCount !== 0) throw new Error('json PutRecords: failed records');
      calls++;
    }
  }));
  return calls;
}

async function measure(name, port, pid, stream) {
  const variants = bodies(stream);
  const rows = [];
  for (const codec of ['json', 'cbor']) {
    await drive(port, codec, variants, WARMUP_MS);
    const cpuBefore = cpuMs(pid);
    const started = Date.now();
    const calls = await drive(port, codec, variants, DURATION_MS);
    const seconds = (Date.now() - started) / 1000;
    const mb = (calls * RECORDS * RECORD_BYTES) / 1e6;
    rows.push({ target: name, codec, calls, mb: +mb.toFixed(1), mbPerSec: +(mb / seconds).toFixed(2), cpuMsPerMb: +((cpuMs(pid) - cpuBefore) / mb).toFixed(2) });
  }
  return rows;
}

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { if (await probe()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${what} timed out`);
    await sleep(200);
  }
}

async function createStream(port, stream) {
  const res = await jsonCall(port, 'CreateStream', { StreamName: stream, ShardCount: Number(flags.shards) });
  if (res.status !== 200) throw new Error(`CreateStream: ${res.body.toString('utf8')}`);
  await until(`${stream} ACTIVE`, async () => {
    const d = await jsonCall(port, 'DescribeStreamSummary', { StreamName: stream });
    return JSON.parse(d.body.toString('utf8')).StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, ACTIVE_TIMEOUT_MS);
}

function runCluster(args) {
  const result = spawnSync(CLUSTER_SCRIPT, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: CLUSTER_CMD_TIMEOUT_MS });
  if (result.status !== 0) throw new Error(`scripts/cluster ${args[0]} failed`);
}

async function shoal() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shoal-bench-codecs-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanups.push(() => runCluster(['down', '--data', dataDir]));
  runCluster(['up', '--data', dataDir, '--port', String(PORT_BASE), '--etcd-port', String(PORT_BASE + 1), '--port-base', String(PORT_BASE + 10),
    '--limits', 'off', '--tls-port', 'off']);
  const pid = JSON.parse(readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')).processes.api.pid;
  await createStream(PORT_BASE, 'bench-codecs');
  return measure('shoal', PORT_BASE, pid, 'bench-codecs');
}

async function kinesalite() {
  const port = PORT_BASE + KINESALITE_PORT_OFFSET;
  const code = `require(${JSON.stringify(KINESALITE_DIR)})({ createStreamMs: 0, shardLimit: 100000 }).listen(${port}, '127.0.0.1')`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'inherit'] });
  cleanups.push(() => child.kill('SIGTERM'));
  await until('kinesalite', async () => (await jsonCall(port, 'ListStreams', {})).status === 200, READY_TIMEOUT_MS);
  await createStream(port, 'bench-codecs');
  return measure('kinesalite', port, child.pid, 'bench-codecs');
}

async function main() {
  const rows = [...await shoal(), ...await kinesalite()];
  if (flags.json) { console.log(JSON.stringify(rows, null, 2)); return; }
  console.log(`PutRecords ${RECORDS} x ${RECORD_BYTES} B, ${CONCURRENCY} in flight, ${flags['duration-sec']} s per codec; server CPU per MB of record data`);
  console.log('target      codec   MB/s    CPU ms/MB');
  for (const r of rows) console.log(`${r.target.padEnd(11)} ${r.codec.padEnd(6)} ${String(r.mbPerSec).padStart(6)}  ${String(r.cpuMsPerMb).padStart(8)}`);
  for (const target of ['shoal', 'kinesalite']) {
    const [j, c] = ['json', 'cbor'].map((codec) => rows.find((r) => r.target === target && r.codec === codec));
    console.log(`${target}: CBOR/JSON CPU per MB = ${(c.cpuMsPerMb / j.cpuMsPerMb).toFixed(2)}`);
  }
}

let exitCode = 0;
try { await main(); } catch (err) { console.error(`bench-codecs: ${err.message}`); exitCode = 1; }
for (const cleanup of cleanups.reverse()) { try { cleanup(); } catch { /* best effort */ } }
agent.destroy();
process.exit(exitCode);

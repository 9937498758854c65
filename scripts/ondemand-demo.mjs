#!/usr/bin/env node
/**
 * On-demand scaling measurement (docs/resharding.md): starts a local
 * cluster (limits on, a short on-demand window and cool-down), then runs
 * the same load twice against a 1-shard stream switched to ON_DEMAND:
 *   cold  no warm throughput: the controller splits hot shards itself;
 *   warm  WarmThroughputMiBps set first: the stream is pre-split.
 * Prints, per second, open shards and throttled records, and at the end
 * how long until writes stopped being throttled, the throttled totals, and
 * (cold) how long until the stream shrank after the load stopped.
 *
 *   node scripts/ondemand-demo.mjs [--rate 2400] [--seconds 40] [--warm-mibps 4]
 *        [--window-sec 5] [--cooldown-sec 10] [--port 25567] [--keep]
 * Records are 1 KiB with random partition keys, sent as PutRecords of 100.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'packages/cli/package.json'));
const k = require('@aws-sdk/client-kinesis');

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : def; };
const RATE = opt('rate', 2400);
const SECONDS = opt('seconds', 40);
const WARM_MIBPS = opt('warm-mibps', 4);
const WINDOW_SEC = opt('window-sec', 5);
const COOLDOWN_SEC = opt('cooldown-sec', 10);
const PORT = opt('port', 25567);
const BATCH = 100;
const RECORD_BYTES = 1024;
const SHRINK_WAIT_SEC = 90;

const dataDir = mkdtempSync(join(tmpdir(), 'shoal-ondemand-'));
const cli = (...a) => execFileSync(process.execPath, [join(ROOT, 'packages/cli/dist/src/main.js'), 'cluster', ...a, '--data', dataDir], { encoding: 'utf8' });
const client = new k.KinesisClient({ endpoint: `http://127.0.0.1:${PORT}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDDEMO', secretAccessKey: 'demo' }, maxAttempts: 1 });

async function openShards(stream) {
  const res = await client.send(new k.ListShardsCommand({ StreamName: stream, ShardFilter: { Type: 'AT_LATEST' } }));
  return (res.Shards ?? []).length;
}

async function waitFor(what, pred, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(200);
  }
}

async function prepare(stream, warm) {
  await client.send(new k.CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  const arn = async () => (await client.send(new k.DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary;
  await waitFor('ACTIVE', async () => (await arn()).StreamStatus === 'ACTIVE');
  await client.send(new k.UpdateStreamModeCommand({ StreamARN: (await arn()).StreamARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
  if (warm) {
    const started = Date.now();
    await client.send(new k.UpdateStreamWarmThroughputCommand({ StreamName: stream, WarmThroughputMiBps: WARM_MIBPS }));
    await waitFor('warm shards', async () => (await openShards(stream)) >= Math.ceil(WARM_MIBPS));
    console.log(`[warm] pre-split to ${await openShards(stream)} shards in ${Date.now() - started} ms`);
  }
}

/** Sends RATE records/s for SECONDS; returns per-second throttled counts and shard counts. */
async function load(stream, label) {
  const perSecond = [];
  const data = randomBytes(RECORD_BYTES);
  const started = Date.now();
  let inFlight = 0;
  let sent = 0;
  while (Date.now() - started < SECONDS * 1000) {
    const second = Math.floor((Date.now() - started) / 1000);
    perSecond[second] ??= { ok: 0, throttled: 0, failed: 0 };
    const due = Math.floor(((Date.now() - started) / 1000) * RATE);
    if (sent + BATCH <= due && inFlight < 32) {
      sent += BATCH;
      inFlight++;
      const bucket = perSecond[second];
      const records = Array.from({ length: BATCH }, () => ({ PartitionKey: randomBytes(8).toString('hex'), Data: data }));
      client.send(new k.PutRecordsCommand({ StreamName: stream, Records: records })).then((res) => {
        for (const r of res.Records) {
          if (!r.ErrorCode) bucket.ok++; else if (r.ErrorCode === 'ProvisionedThroughputExceededException') bucket.throttled++; else bucket.failed++;
        }
      }, () => { bucket.failed += BATCH; }).finally(() => { inFlight--; });
    } else {
      await sleep(5);
    }
    if (second !== perSecond.lastLogged) {
      perSecond.lastLogged = second;
      if (second > 0) {
        const p = perSecond[second - 1];
        console.log(`[${label}] t=${second - 1}s shards=${await openShards(stream)} ok=${p.ok} throttled=${p.throttled} failed=${p.failed}`);
      }
    }
  }
  await waitFor('in-flight puts', async () => inFlight === 0);
  return perSecond;
}

function summary(label, perSecond) {
  const throttled = perSecond.reduce((n, p) => n + (p?.throttled ?? 0), 0);
  const ok = perSecond.reduce((n, p) => n + (p?.ok ?? 0), 0);
  let lastThrottled = -1;
  perSecond.forEach((p, i) => { if (p?.throttled > 0) lastThrottled = i; });
  console.log(`[${label}] ${ok} records accepted, ${throttled} throttled (${((100 * throttled) / Math.max(1, ok + throttled)).toFixed(1)}%); ` +
    (lastThrottled < 0 ? 'no throttling at all' : `last throttled second: t=${lastThrottled}s (scaling took about ${lastThrottled + 1} s)`));
}

try {
  cli('up', '--port', String(PORT), '--etcd-port', String(PORT - 188), '--port-base', String(PORT + 33), '--limits', 'on',
    '--ondemand-window-sec', String(WINDOW_SEC), '--ondemand-cooldown-sec', String(COOLDOWN_SEC));
  console.log(`load: ${RATE} records/s of ${RECORD_BYTES} bytes (${((RATE * RECORD_BYTES) / 1048576).toFixed(2)} MiB/s) for ${SECONDS} s; window ${WINDOW_SEC} s, cool-down ${COOLDOWN_SEC} s`);
  await prepare('cold', false);
  const cold = await load('cold', 'cold');
  summary('cold', cold);
  const peak = await openShards('cold');
  const stopMs = Date.now();
  await waitFor('shrink', async () => (await openShards('cold')) < peak, SHRINK_WAIT_SEC * 1000).then(
    async () => console.log(`[cold] shrank from ${peak} to ${await openShards('cold')} shards ${Date.now() - stopMs} ms after the load stopped`),
    () => console.log(`[cold] did not shrink within ${SHRINK_WAIT_SEC} s`));
  await prepare('warm', true);
  const warm = await load('warm', 'warm');
  summary('warm', warm);
} finally {
  client.destroy();
  if (!args.includes('--keep')) {
    try { cli('down'); } finally { rmSync(dataDir, { recursive: true, force: true }); }
  }
}

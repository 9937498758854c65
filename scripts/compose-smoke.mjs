// The Kinesis half of scripts/compose-smoke: drives a running compose
// cluster with the real AWS SDK for JavaScript v3 (HTTP/1.1 through the
// published port) and checks that no acknowledged record is lost when one
// zone is cut off.
//
//   node scripts/compose-smoke.mjs --endpoint http://127.0.0.1:37567 \
//     --isolate 'deploy/compose/zone.sh isolate az-a' \
//     [--restore 'deploy/compose/zone.sh restore az-a']
//
// Phases (each prints its duration):
//   create    CreateStream with one shard per zone, so one leader is in the
//             zone that will be cut; wait until ACTIVE
//   write     PUT_BEFORE records (PutRecords batches), every one acked
//   read      read every shard from TRIM_HORIZON; each acked record is there
//   isolate   run --isolate (cuts a zone off)
//   failover  keep writing PUT_AFTER records, retrying each until acked,
//             and time how long until every shard takes writes again
//   verify    read everything back: every acked record (before and after
//             the cut) is there with its sequence number and data
//   restore   run --restore, then one more acked write and read (optional)
// Exits non-zero on the first failed check.
import { execSync } from 'node:child_process';
import {
  KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand,
  PutRecordsCommand, GetShardIteratorCommand, GetRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const STREAM_NAME = 'compose-smoke';
const SHARD_COUNT = 3;
const PUT_BEFORE = 300;
const PUT_AFTER = 150;
const BATCH_RECORDS = 50;
const ACTIVE_WAIT_MS_MAX = 60_000;
const FAILOVER_WAIT_MS_MAX = 90_000;
const RETRY_DELAY_MS = 250;
// Longer than the api's own deadline for a write that waits on a failover.
const REQUEST_TIMEOUT_MS = 30_000;
const READ_CALLS_PER_SHARD_MAX = 200;

function parseArgs(argv) {
  const args = { endpoint: 'http://127.0.0.1:4567', isolate: '', restore: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in args) || argv[i + 1] === undefined) throw new Error(`unknown or empty flag ${argv[i]}`);
    args[name] = argv[i + 1];
  }
  return args;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Runs fn, printing `phase NAME: Ns (detail)`; returns fn's result. */
async function phase(name, fn) {
  const startMs = Date.now();
  const result = await fn();
  const detail = typeof result === 'string' ? result : (result?.summary ?? '');
  console.log(`phase ${name}: ${((Date.now() - startMs) / 1000).toFixed(1)}s${detail ? ` (${detail})` : ''}`);
  return result;
}

async function waitActive(kinesis) {
  const deadline = Date.now() + ACTIVE_WAIT_MS_MAX;
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: STREAM_NAME })).catch(() => undefined);
    if (out?.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    check(Date.now() < deadline, `stream ACTIVE within ${ACTIVE_WAIT_MS_MAX} ms`);
    await sleep(RETRY_DELAY_MS);
  }
}

/**
 * Puts records [from, to) in batches; a record that fails (partial failure
 * or a failed call) is sent again until acked or the deadline passes.
 * Returns the acked records ({ data, shardId, sequenceNumber }), the number
 * of records that had to be sent again, and the longest call in ms.
 */
async function putAll(kinesis, from, to, deadlineMs) {
  const acked = [];
  let pending = [];
  for (let n = from; n < to; n += 1) pending.push({ data: `record-${n}`, key: `key-${n}` });
  let retried = 0;
  let longestCallMs = 0;
  while (pending.length > 0) {
    check(Date.now() < deadlineMs, `${pending.length} records acked before the deadline`);
    const batch = pending.slice(0, BATCH_RECORDS);
    const failed = [];
    const callStartMs = Date.now();
    try {
      const out = await kinesis.send(new PutRecordsCommand({
        StreamName: STREAM_NAME,
        Records: batch.map((r) => ({ Data: Buffer.from(r.data), PartitionKey: r.key })),
      }));
      out.Records.forEach((res, i) => {
        if (res.SequenceNumber) acked.push({ data: batch[i].data, shardId: res.ShardId, sequenceNumber: res.SequenceNumber });
        else failed.push(batch[i]);
      });
    } catch {
      failed.push(...batch);
    }
    longestCallMs = Math.max(longestCallMs, Date.now() - callStartMs);
    pending = [...failed, ...pending.slice(batch.length)];
    if (failed.length > 0) {
      retried += failed.length;
      await sleep(RETRY_DELAY_MS);
    }
  }
  return { acked, retried, longestCallMs };
}

/** Every record of every shard from TRIM_HORIZON, keyed by sequence number. */
async function readAll(kinesis) {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: STREAM_NAME }))).Shards ?? [];
  const bySequence = new Map();
  for (const shard of shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({
      StreamName: STREAM_NAME, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }))).ShardIterator;
    let previous = -1n;
    for (let calls = 0; iterator && calls < READ_CALLS_PER_SHARD_MAX; calls += 1) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const record of out.Records ?? []) {
        check(BigInt(record.SequenceNumber) > previous, `sequence numbers increase within ${shard.ShardId}`);
        previous = BigInt(record.SequenceNumber);
        bySequence.set(record.SequenceNumber, { shardId: shard.ShardId, data: Buffer.from(record.Data).toString() });
      }
      if ((out.Records ?? []).length === 0 && out.MillisBehindLatest === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return bySequence;
}

function verifyAcked(acked, bySequence) {
  for (const record of acked) {
    const found = bySequence.get(record.sequenceNumber);
    check(found !== undefined, `acked ${record.data} (${record.sequenceNumber}) was read back`);
    check(found.data === record.data && found.shardId === record.shardId, `acked ${record.data} read back unchanged`);
  }
  return `${acked.length} acked, all read back, ${bySequence.size} records in the stream`;
}

function run(command) {
  execSync(command, { stdio: 'inherit', timeout: 60_000 });
  return command;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const kinesis = new KinesisClient({
    endpoint: args.endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler({
      connectionTimeout: REQUEST_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true,
    }),
  });
  const totalStartMs = Date.now();
  await phase('create', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: STREAM_NAME, ShardCount: SHARD_COUNT }));
    await waitActive(kinesis);
    return `${SHARD_COUNT} shards ACTIVE`;
  });
  const before = await phase('write', async () => putAll(kinesis, 0, PUT_BEFORE, Date.now() + FAILOVER_WAIT_MS_MAX));
  await phase('read', async () => verifyAcked(before.acked, await readAll(kinesis)));
  if (args.isolate) await phase('isolate', async () => run(args.isolate));
  const after = await phase('failover', async () => {
    const result = await putAll(kinesis, PUT_BEFORE, PUT_BEFORE + PUT_AFTER, Date.now() + FAILOVER_WAIT_MS_MAX);
    const longestSec = (result.longestCallMs / 1000).toFixed(1);
    return { ...result, summary: `${result.acked.length} acked, ${result.retried} sent again, longest PutRecords ${longestSec}s` };
  });
  await phase('verify', async () => verifyAcked([...before.acked, ...after.acked], await readAll(kinesis)));
  if (args.restore) {
    await phase('restore', async () => run(args.restore));
    await phase('rejoin', async () => {
      const last = await putAll(kinesis, PUT_BEFORE + PUT_AFTER, PUT_BEFORE + PUT_AFTER + BATCH_RECORDS, Date.now() + FAILOVER_WAIT_MS_MAX);
      return verifyAcked([...before.acked, ...after.acked, ...last.acked], await readAll(kinesis));
    });
  }
  console.log(`compose-smoke kinesis checks passed in ${((Date.now() - totalStartMs) / 1000).toFixed(1)}s`);
}

main().catch((err) => {
  console.error(`compose-smoke: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

/**
 * End to end: the `shoal` command (packages/shoal) run as a user runs it, as
 * a child process against a real cluster. streams (region from the command
 * line, environment or profile; credentials from the environment, a profile
 * or none), put of a 100k-line file (progress, one result per line, every
 * line stored), tail (every record in per-key order, --json, --from a
 * sequence number / time / latest, --limit, a closed pipe), tail --follow
 * through a split and a merge made while a put runs (nothing lost or
 * repeated, per-key order = the stream's order), describe (lineage), the
 * fan-out path of --consumer, and exit statuses.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand, DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, MergeShardsCommand, SplitShardCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { TempDirs } from '@shoal/testkit';
import { ClusterHarness } from './cluster-harness';
import { waitActive } from './kinesis-helpers';
import { awsHome, cleanEnv, finished, jsonLines, runShoal, SHOAL_BIN, startShoal } from './shoal-process';

const API_PORT = Number(process.env['SHOAL_E2E_SHOAL_API_PORT'] ?? 24567);
const CREDENTIALS = { accessKeyId: 'AKIDSHOALCLI', secretAccessKey: 'shoal-cli-secret' };
const KEYS = 16;
const LINES = 100_000;
const SETTLE_WAIT_MS = 40_000;
const TAIL_CATCH_UP_MS = 60_000;
const QUIET_AFTER_MS = 3_000;
const FEED_TICK_MS = 25;
const FEED_AFTER_MS = 1_000;

interface PutResult { line: number; partitionKey: string; shardId: string; sequenceNumber: string }
interface TailJson { shardId: string; sequenceNumber: string; partitionKey: string; approximateArrivalTimestamp: string; data: string; text?: string }
interface ShardViewJson { shardId: string; open: boolean; depth: number; parentShardId?: string; adjacentParentShardId?: string; hashKeyPercent: number }

const shardId = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;
const lineData = (i: number): string => `${i}:${'x'.repeat(i % 50)}`;

/** Lines of a running process's stdout as they come. */
class LineCollector {
  readonly lines: string[] = [];
  private rest = '';
  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (b: Buffer) => {
      const parts = (this.rest + b.toString('utf8')).split('\n');
      this.rest = parts.pop()!;
      this.lines.push(...parts);
    });
  }
}

/** Each shard's depth in the lineage: roots 0, a child one more than its deepest parent. */
function depths(shards: readonly Shard[]): Map<string, number> {
  const byId = new Map(shards.map((s) => [s.ShardId!, s]));
  const memo = new Map<string, number>();
  const depth = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const s = byId.get(id);
    const parents = s ? [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => p !== undefined && byId.has(p)) : [];
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map(depth));
    memo.set(id, d);
    return d;
  };
  for (const id of byId.keys()) depth(id);
  return memo;
}

/** Per key, the data of the acknowledged records in the stream's order: shard lineage depth, then sequence number. */
function streamOrder(acks: readonly PutResult[], dataOf: (a: PutResult) => string, depthOf: ReadonlyMap<string, number>): Map<string, string[]> {
  const sorted = [...acks].sort((a, b) => (depthOf.get(a.shardId)! - depthOf.get(b.shardId)!) || (BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber) ? -1 : 1));
  const out = new Map<string, string[]>();
  for (const a of sorted) out.set(a.partitionKey, [...(out.get(a.partitionKey) ?? []), dataOf(a)]);
  return out;
}

function tailOrder(records: readonly TailJson[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of records) out.set(r.partitionKey, [...(out.get(r.partitionKey) ?? []), Buffer.from(r.data, 'base64').toString('utf8')]);
  return out;
}

describe('the shoal command end to end', function () {
  this.timeout(300_000);
  const cluster = new ClusterHarness({ apiPort: API_PORT });
  const work = mkdtempSync(join(tmpdir(), 'shoal-cli-e2e-'));
  const awsDirs = new TempDirs('shoal-aws-');
  const home = awsHome(awsDirs.make(), { eu: 'eu-west-1' });
  let env: NodeJS.ProcessEnv;
  let client: KinesisClient;
  let linesAcks: PutResult[] = [];

  before(async function () {
    this.timeout(180_000);
    cluster.up();
    env = cleanEnv({
      AWS_ENDPOINT_URL: cluster.endpoint, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_CONFIG_FILE: home.configFile, AWS_SHARED_CREDENTIALS_FILE: home.credentialsFile,
    });
    client = new KinesisClient({ endpoint: cluster.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
    const eu = new KinesisClient({ endpoint: cluster.endpoint, region: 'eu-west-1', credentials: CREDENTIALS });
    await client.send(new CreateStreamCommand({ StreamName: 'lines', ShardCount: 2 }));
    await client.send(new CreateStreamCommand({ StreamName: 'moving', ShardCount: 2 }));
    await eu.send(new CreateStreamCommand({ StreamName: 'faraway', ShardCount: 1 }));
    await Promise.all([waitActive(client, 'lines'), waitActive(client, 'moving'), waitActive(eu, 'faraway')]);
    eu.destroy();
  });

  after(function () {
    this.timeout(60_000);
    client?.destroy();
    awsDirs.removeAll();
    if (!process.env['SHOAL_E2E_KEEP']) rmSync(work, { recursive: true, force: true });
    cluster.destroy();
  });

  const names = async (args: string[], runEnv: NodeJS.ProcessEnv): Promise<string[]> => {
    const r = await runShoal(['streams', '--json', ...args], runEnv);
    assert.equal(r.code, 0, r.stderr);
    return jsonLines<{ streamName: string; status: string }>(r.stdout).map((s) => s.streamName).sort();
  };

  it('lists the streams of the region named by the command line, the environment or a profile', async () => {
    assert.deepEqual(await names([], env), ['lines', 'moving']);
    assert.deepEqual(await names(['--region', 'eu-west-1'], env), ['faraway']);
    assert.deepEqual(await names([], { ...env, AWS_DEFAULT_REGION: 'eu-west-1' }), ['faraway']);
    const profileOnly = cleanEnv({ AWS_ENDPOINT_URL: cluster.endpoint, AWS_CONFIG_FILE: home.configFile, AWS_SHARED_CREDENTIALS_FILE: home.credentialsFile });
    assert.deepEqual(await names(['--profile', 'eu'], profileOnly), ['faraway']);
    assert.deepEqual(await names([], { ...profileOnly, AWS_PROFILE: 'eu' }), ['faraway']);
    // No credentials anywhere: against the loopback endpoint, placeholder keys.
    const bare = cleanEnv({ AWS_ENDPOINT_URL: cluster.endpoint, AWS_CONFIG_FILE: join(work, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(work, 'none') });
    assert.deepEqual(await names([], bare), ['lines', 'moving']);
    const text = await runShoal(['streams'], env);
    assert.equal(text.code, 0, text.stderr);
    const [header, ...rows] = text.stdout.trim().split('\n');
    assert.match(header!, /^NAME\s+STATUS\s+MODE\s+CREATED$/);
    assert.deepEqual(rows.map((r) => r.split(/\s+/).slice(0, 3)), [['lines', 'ACTIVE', 'PROVISIONED'], ['moving', 'ACTIVE', 'PROVISIONED']]);
  });

  it('takes --endpoint over AWS_ENDPOINT_URL, and says so when the endpoint cannot be reached', async () => {
    const wrong = { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
    assert.deepEqual(await names(['--endpoint', cluster.endpoint], wrong), ['lines', 'moving']);
    const r = await runShoal(['streams'], wrong);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^shoal: cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  });

  it(`puts a ${LINES}-line file: progress on stderr, one JSON result per line, every line acknowledged once`, async () => {
    const file = join(work, 'lines.txt');
    writeFileSync(file, Array.from({ length: LINES }, (_, k) => `key-${(k + 1) % KEYS}\t${lineData(k + 1)}\n`).join(''));
    const r = await runShoal(['put', 'lines', '--file', file, '--key-separator', '\\t', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    linesAcks = jsonLines<PutResult>(r.stdout);
    assert.equal(linesAcks.length, LINES);
    const lineNumbers = new Set(linesAcks.map((a) => a.line));
    assert.equal(lineNumbers.size, LINES);
    assert.ok(lineNumbers.has(1) && lineNumbers.has(LINES));
    for (const a of linesAcks) {
      assert.equal(a.partitionKey, `key-${a.line % KEYS}`);
      assert.match(a.shardId, /^shardId-00000000000[01]$/);
      assert.match(a.sequenceNumber, /^\d{56}$/);
    }
    // Progress: a plain line (stderr is not a terminal) at each tenth of the file and every 2 s, rising; then the summary.
    const progress = r.stderr.split('\n').map((l) => /^put: (\d+) records .* records\/s .*\((\d+)% of the input/.exec(l)).filter((m) => m !== null);
    assert.ok(progress.length >= 9, `only ${progress.length} progress lines:\n${r.stderr}`);
    for (let i = 1; i < progress.length; i++) {
      assert.ok(Number(progress[i]![1]) >= Number(progress[i - 1]![1]), 'record counts rise');
      assert.ok(Number(progress[i]![2]) >= Number(progress[i - 1]![2]), 'percentages rise');
    }
    assert.match(r.stderr, new RegExp(`^put ${LINES} records \\([\\d.]+ MiB\\) in \\S+: \\d+ records/s`, 'm'));
  });

  it('draws a progress bar with the rate on a terminal', async () => {
    const file = join(work, 'tty.txt');
    writeFileSync(file, Array.from({ length: 20_000 }, (_, k) => `tty-${k}\n`).join(''));
    // `script` gives the command a terminal (util-linux, in every Debian).
    const shell = `${process.execPath} ${SHOAL_BIN} put lines --file ${file} --partition-key tty`;
    const out = execFileSync('script', ['-qfec', shell, '/dev/null'], { env, encoding: 'utf8', timeout: 120_000 });
    const frames = out.split('\r').filter((f) => f.startsWith('['));
    assert.ok(frames.length >= 2, out);
    assert.match(frames[frames.length - 1]!, /^\[#+\] 100%  20000 records  [\d.]+ MiB  \d+ records\/s/);
    assert.match(out, /put 20000 records/);
  });

  it('tail --json gives back every line once, each key in the order the stream holds it; text mode prints the data', async () => {
    const r = await runShoal(['tail', 'lines', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const records = jsonLines<TailJson>(r.stdout).filter((t) => !t.partitionKey.startsWith('tty'));
    assert.equal(records.length, LINES);
    const bySeq = new Map(linesAcks.map((a) => [a.sequenceNumber, a]));
    const seen = new Set<string>();
    for (const t of records) {
      const ack = bySeq.get(t.sequenceNumber);
      assert.ok(ack, `tail printed ${t.sequenceNumber}, which put did not acknowledge`);
      assert.ok(!seen.has(t.sequenceNumber), `${t.sequenceNumber} printed twice`);
      seen.add(t.sequenceNumber);
      assert.equal(t.shardId, ack.shardId);
      assert.equal(t.partitionKey, ack.partitionKey);
      assert.equal(t.text, lineData(ack.line));
      assert.equal(Buffer.from(t.data, 'base64').toString('utf8'), t.text);
      assert.ok(!Number.isNaN(Date.parse(t.approximateArrivalTimestamp)));
    }
    const depthOf = depths((await client.send(new ListShardsCommand({ StreamName: 'lines' }))).Shards ?? []);
    assert.deepEqual(tailOrder(records), streamOrder(linesAcks, (a) => lineData(a.line), depthOf));

    const text = await runShoal(['tail', 'lines', '--limit', '5'], env);
    assert.equal(text.code, 0, text.stderr);
    const printed = text.stdout.split('\n').filter(Boolean);
    assert.equal(printed.length, 5);
    const datas = new Set(linesAcks.map((a) => lineData(a.line)));
    for (const p of printed) assert.ok(datas.has(p) || p.startsWith('tty-'), p);

    const piped = execFileSync('bash', ['-c', `set -o pipefail; ${process.execPath} ${SHOAL_BIN} tail lines | head -n 3`], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(piped.split('\n').filter(Boolean).length, 3);
  });

  it('tail --from a sequence number starts its shard at that record, other shards from its time; --from an age and latest', async () => {
    const at = linesAcks.find((a) => a.line === 90_000)!;
    const r = await runShoal(['tail', 'lines', '--from', at.sequenceNumber, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const records = jsonLines<TailJson>(r.stdout);
    const same = records.filter((t) => t.shardId === at.shardId);
    assert.equal(same[0]?.sequenceNumber, at.sequenceNumber);
    const expectedSame = linesAcks.filter((a) => a.shardId === at.shardId && BigInt(a.sequenceNumber) >= BigInt(at.sequenceNumber)).length;
    assert.equal(same.filter((t) => !t.partitionKey.startsWith('tty')).length, expectedSame);
    const other = records.filter((t) => t.shardId !== at.shardId && !t.partitionKey.startsWith('tty')).length;
    const otherTotal = linesAcks.filter((a) => a.shardId !== at.shardId).length;
    const otherAfter = linesAcks.filter((a) => a.shardId !== at.shardId && a.line > at.line).length;
    assert.ok(other >= otherAfter && other < otherTotal, `${other} records of the other shard: expected ${otherAfter} to ${otherTotal - 1}`);

    const ago = await runShoal(['tail', 'lines', '--from', '2h', '--json'], env);
    assert.equal(ago.code, 0, ago.stderr);
    const agoSeqs = new Set(jsonLines<TailJson>(ago.stdout).map((t) => t.sequenceNumber));
    const missing = linesAcks.filter((a) => !agoSeqs.has(a.sequenceNumber));
    assert.deepEqual(missing.slice(0, 5), [], `--from 2h missed ${missing.length} lines: ${JSON.stringify(missing.map((a) => [a.line, a.shardId]).slice(0, 40))}`);
    const latest = await runShoal(['tail', 'lines', '--from', 'latest'], env);
    assert.equal(latest.code, 0, latest.stderr);
    assert.equal(latest.stdout, '');
  });

  it('tail --follow follows a stream through a split and a merge made during a put, losing and repeating nothing', async () => {
    const tail = startShoal(['tail', 'moving', '--follow', '--json'], env);
    const tailLines = new LineCollector(tail.stdout);
    const tailDone = finished(tail);
    const put = startShoal(['put', 'moving', '--key-separator', ',', '--json', '--progress', 'off'], env);
    const putLines = new LineCollector(put.stdout);
    const putDone = finished(put);
    /** Waits until put has acknowledged records in each of the shards (so every shard gets writes while it is open). */
    const ackedIn = async (...shards: number[]): Promise<void> => {
      const deadline = Date.now() + SETTLE_WAIT_MS;
      const want = new Set(shards.map(shardId));
      for (let i = 0; want.size > 0; ) {
        for (; i < putLines.lines.length; i++) want.delete((JSON.parse(putLines.lines[i]!) as PutResult).shardId);
        assert.ok(Date.now() < deadline, `put acknowledged nothing in ${[...want].join(', ')}`);
        await sleep(100);
      }
    };
    let feeding = true;
    const feeder = (async () => {
      for (let n = 1; feeding; n++) {
        const chunk = Array.from({ length: KEYS }, (_, k) => `key-${k},${k}:${n}\n`).join('');
        if (!put.stdin.write(chunk)) await new Promise((resolve) => put.stdin.once('drain', resolve));
        await sleep(FEED_TICK_MS);
      }
      put.stdin.end();
    })();
    const settle = async (openCount: number): Promise<void> => {
      const deadline = Date.now() + SETTLE_WAIT_MS;
      for (;;) {
        const status = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'moving' }))).StreamDescriptionSummary?.StreamStatus;
        const shards = status === 'ACTIVE' ? (await client.send(new ListShardsCommand({ StreamName: 'moving' }))).Shards ?? [] : [];
        if (shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined).length === openCount) return;
        assert.ok(Date.now() < deadline, `moving: not ACTIVE with ${openCount} open shards`);
        await sleep(200);
      }
    };
    await ackedIn(0, 1);
    await client.send(new SplitShardCommand({ StreamName: 'moving', ShardToSplit: shardId(0), NewStartingHashKey: (1n << 126n).toString() }));
    await settle(3);
    await ackedIn(2, 3);
    await client.send(new MergeShardsCommand({ StreamName: 'moving', ShardToMerge: shardId(3), AdjacentShardToMerge: shardId(1) }));
    await settle(2);
    await ackedIn(4);
    await sleep(FEED_AFTER_MS);
    feeding = false;
    await feeder;
    const putResult = await putDone;
    assert.equal(putResult.code, 0, putResult.stderr);
    const acks = jsonLines<PutResult>(putResult.stdout);
    assert.deepEqual(new Set(acks.map((a) => a.shardId)), new Set([0, 1, 2, 3, 4].map(shardId)), 'records went to the parents and to every child');

    const deadline = Date.now() + TAIL_CATCH_UP_MS;
    while (tailLines.lines.length < acks.length && Date.now() < deadline) await sleep(200);
    await sleep(QUIET_AFTER_MS); // a repeated record would arrive now
    tail.kill('SIGTERM');
    await tailDone;
    const records = tailLines.lines.map((l) => JSON.parse(l) as TailJson);
    assert.equal(records.length, acks.length, `tail printed ${records.length} records, put acknowledged ${acks.length}`);
    const seqs = new Set(records.map((t) => t.sequenceNumber));
    assert.equal(seqs.size, records.length, 'no record printed twice');
    for (const a of acks) assert.ok(seqs.has(a.sequenceNumber), `line ${a.line} (${a.shardId}) acknowledged but not printed`);
    const shards = (await client.send(new ListShardsCommand({ StreamName: 'moving' }))).Shards ?? [];
    const dataOf = new Map(records.map((t) => [t.sequenceNumber, Buffer.from(t.data, 'base64').toString('utf8')]));
    assert.deepEqual(tailOrder(records), streamOrder(acks, (a) => dataOf.get(a.sequenceNumber)!, depths(shards)));
    console.log(`      ${acks.length} records through a split and a merge, read in order by tail --follow`);
  });

  it('describe shows settings and the shards with their lineage (--json parses)', async () => {
    const r = await runShoal(['describe', 'moving', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const [view] = jsonLines<{ status: string; mode: string; retentionPeriodHours: number; openShardCount: number; shards: ShardViewJson[]; consumers: unknown[] | null; unavailable?: Record<string, string> }>(r.stdout);
    assert.equal(view!.status, 'ACTIVE');
    assert.equal(view!.mode, 'PROVISIONED');
    assert.equal(view!.retentionPeriodHours, 24);
    assert.equal(view!.openShardCount, 2);
    const byId = new Map(view!.shards.map((s) => [s.shardId, s]));
    assert.deepEqual(view!.shards.map((s) => s.shardId), [0, 2, 3, 4, 1].map(shardId), 'children listed under their parents');
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => byId.get(shardId(n))!.open), [false, false, true, false, true]);
    assert.equal(byId.get(shardId(4))!.parentShardId, shardId(3));
    assert.equal(byId.get(shardId(4))!.adjacentParentShardId, shardId(1));
    assert.equal(byId.get(shardId(4))!.depth, 2);
    assert.equal(view!.shards.filter((s) => s.open).reduce((sum, s) => sum + s.hashKeyPercent, 0), 100);
    if (view!.consumers === null) assert.equal(view!.unavailable?.['consumers'], 'UnknownOperationException');
    else assert.ok(Array.isArray(view!.consumers));
    const text = await runShoal(['describe', 'moving'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^shards {6}2 open of 5$/m);
    assert.match(text.stdout, /^ {6}shardId-000000000004 {2}open {4}75\.0% of keys {2}merged from shardId-000000000003 \+ shardId-000000000001$/m);
  });

  it('tail --consumer reads through enhanced fan-out where the server has it, and says clearly where it does not', async () => {
    const streamArn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'moving' }))).StreamDescriptionSummary!.StreamARN!;
    let fanOut = true;
    try {
      await client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'shoal-e2e' }));
    } catch (err) {
      if ((err as Error).name === 'UnknownOperationException') fanOut = false;
    }
    const r = await runShoal(['tail', 'moving', '--consumer', 'shoal-e2e', '--json'], env);
    if (!fanOut) {
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^shoal: the server at http:\/\/127\.0\.0\.1:\d+ does not support enhanced fan-out \(DescribeStreamConsumer answered UnknownOperationException\); run tail without --consumer/);
      assert.equal(r.stdout, '');
      return;
    }
    assert.equal(r.code, 0, r.stderr);
    const polled = await runShoal(['tail', 'moving', '--json'], env);
    const seqs = (out: string): string[] => jsonLines<TailJson>(out).map((t) => t.sequenceNumber).sort();
    assert.deepEqual(seqs(r.stdout), seqs(polled.stdout));
  });

  it('exits 2 on bad usage and 1 when the stream does not exist', async () => {
    const usage = await runShoal(['tail'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /expected one STREAM/);
    const missing = await runShoal(['describe', 'nosuch'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^shoal: ResourceNotFoundException: Stream nosuch under account \d{12} not found\.$/m);
  });
});

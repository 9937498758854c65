/**
 * End to end: elastic streams on a real cluster with two controllers.
 * A writer puts continuously with a fixed set of partition keys (one
 * sequential loop per key, so a key's acknowledgement order is its put
 * order) while the stream is split, merged, scaled 4 -> 8 -> 4 with
 * UpdateShardCount, split again with the active controller SIGKILLed right
 * after the request, and switched to ON_DEMAND with a warm throughput that
 * pre-splits it. A consumer then reads parents before children (by shard
 * index) and checks: every acknowledged record exactly once, failed puts
 * at most once, per-key order = acknowledgement order, GetRecords'
 * ChildShards at the end of every closed shard. Last, a 10 MiB record
 * round-trips byte for byte after UpdateMaxRecordSize. And a closed shard
 * whose close is moved back past the retention period (in etcd: no test
 * waits 24 hours) expires: no longer listed or readable, its record deleted
 * by the controller.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand, DescribeStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand,
  MergeShardsCommand, PutRecordCommand, SplitShardCommand, UpdateAccountSettingsCommand, UpdateMaxRecordSizeCommand, UpdateShardCountCommand,
  UpdateStreamModeCommand, UpdateStreamWarmThroughputCommand, type Shard,
} from '@aws-sdk/client-kinesis';
import { Etcd3 } from 'etcd3';
import { DEFAULT_PREFIX, type ShardRecord } from '@shoal/metadata';
import { ClusterHarness } from './cluster-harness';

const CREDENTIALS = { accessKeyId: 'AKIDSHOALE2E', secretAccessKey: 'shoal-e2e-secret' };
const REGION = 'us-east-1';
const STREAM = 'elastic';
const KEYS = Array.from({ length: 16 }, (_, i) => `key-${i}`);
const SETTLE_WAIT_MS = 40_000;
const POLL_MS = 200;
const READ_CALLS_MAX = 2_000;
const BIG_RECORD_BYTES = 10 * 1024 * 1024 - 16;

interface Put { readonly key: string; readonly n: number; readonly ok: boolean; readonly sequenceNumber?: string }

/** One sequential PutRecord loop per key until stopped. */
class KeyedWriter {
  readonly puts: Put[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];
  constructor(private readonly client: KinesisClient) {}

  start(): void {
    this.loops = KEYS.map(async (key) => {
      for (let n = 0; !this.stopped; n++) {
        try {
          const res = await this.client.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: key, Data: Buffer.from(`${key}#${n}`) }));
          this.puts.push({ key, n, ok: true, sequenceNumber: res.SequenceNumber });
        } catch {
          this.puts.push({ key, n, ok: false });
          await sleep(50);
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

describe('elastic streams end to end', function () {
  this.timeout(300_000);
  const cluster = new ClusterHarness({
    apiPort: 25567,
    upArgs: ['--controllers', '2', '--reshard-timeout-sec', '20', '--ondemand-window-sec', '3', '--ondemand-cooldown-sec', '600', '--lease-ttl-sec', '3'],
  });
  let client: KinesisClient;
  let writer: KeyedWriter;
  const closedSeen = new Set<string>();

  before(function () {
    this.timeout(180_000);
    cluster.up();
    client = new KinesisClient({ endpoint: cluster.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  });

  after(function () {
    this.timeout(60_000);
    client?.destroy();
    cluster.destroy();
  });

  async function shards(): Promise<Shard[]> {
    return (await client.send(new ListShardsCommand({ StreamName: STREAM }))).Shards ?? [];
  }
  const open = (list: readonly Shard[]): Shard[] => list.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);

  /** Waits until the stream is ACTIVE with `count` open shards. */
  async function settle(count: number): Promise<Shard[]> {
    const deadline = Date.now() + SETTLE_WAIT_MS;
    for (;;) {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
      const status = summary.StreamDescriptionSummary?.StreamStatus;
      // ListShards answers ResourceInUseException while the stream is CREATING (as AWS does): list only once ACTIVE.
      const list = status === 'ACTIVE' ? await shards() : undefined;
      if (list && open(list).length === count) return list;
      if (Date.now() > deadline) throw new Error(`not ACTIVE with ${count} open shards (have ${list ? open(list).length : '?'}, ${status})`);
      await sleep(POLL_MS);
    }
  }

  it('creates a 4-shard stream and starts writing with fixed keys', async () => {
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 4 }));
    await settle(4);
    writer = new KeyedWriter(client);
    writer.start();
    await sleep(1_000);
  });

  it('splits and merges while writing; DescribeStream shows the lineage', async () => {
    const first = open(await shards())[0]!;
    const start = BigInt(first.HashKeyRange!.StartingHashKey!);
    const end = BigInt(first.HashKeyRange!.EndingHashKey!);
    await client.send(new SplitShardCommand({ StreamName: STREAM, ShardToSplit: first.ShardId!, NewStartingHashKey: ((start + end) / 2n).toString() }));
    await assert.rejects(client.send(new SplitShardCommand({ StreamName: STREAM, ShardToSplit: first.ShardId!, NewStartingHashKey: '1' })), /ResourceInUseException|InvalidArgumentException/);
    const afterSplit = await settle(5);
    const children = afterSplit.filter((s) => s.ParentShardId === first.ShardId);
    assert.equal(children.length, 2);
    await sleep(1_000);
    await client.send(new MergeShardsCommand({ StreamName: STREAM, ShardToMerge: children[0]!.ShardId!, AdjacentShardToMerge: children[1]!.ShardId! }));
    await settle(4);
    const described = await client.send(new DescribeStreamCommand({ StreamName: STREAM }));
    const merged = described.StreamDescription!.Shards!.find((s) => s.AdjacentParentShardId !== undefined)!;
    assert.equal(merged.ParentShardId, children[0]!.ShardId);
    assert.equal(merged.AdjacentParentShardId, children[1]!.ShardId);
    const parent = described.StreamDescription!.Shards!.find((s) => s.ShardId === first.ShardId)!;
    assert.ok(parent.SequenceNumberRange!.EndingSequenceNumber);
    assert.ok(BigInt(merged.SequenceNumberRange!.StartingSequenceNumber!) > BigInt(parent.SequenceNumberRange!.EndingSequenceNumber!));
  });

  it('scales 4 -> 8 -> 4 with UpdateShardCount, refusing more than double', async () => {
    await assert.rejects(client.send(new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: 9, ScalingType: 'UNIFORM_SCALING' })), /LimitExceededException/);
    const res = await client.send(new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: 8, ScalingType: 'UNIFORM_SCALING' }));
    assert.equal(res.CurrentShardCount, 4);
    await settle(8);
    await sleep(1_000);
    await client.send(new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    await settle(4);
  });

  it('a split survives SIGKILL of the active controller (the standby completes it)', async () => {
    const report = cluster.status();
    const controllers = report.processes.filter((p) => p.role === 'controller');
    assert.equal(controllers.length, 2);
    const health = await Promise.all(controllers.map(async (c) => (await (await fetch(`${c.address}/healthz`)).json()) as { active?: boolean }));
    const active = controllers[health.findIndex((h) => h.active === true)]!;
    const target = open(await shards())[1]!;
    const start = BigInt(target.HashKeyRange!.StartingHashKey!);
    const end = BigInt(target.HashKeyRange!.EndingHashKey!);
    await client.send(new SplitShardCommand({ StreamName: STREAM, ShardToSplit: target.ShardId!, NewStartingHashKey: ((start + end) / 2n).toString() }));
    process.kill(active.pid, 'SIGKILL');
    const killedMs = Date.now();
    await settle(5);
     
    console.log(`      split completed ${Date.now() - killedMs} ms after SIGKILL of the active controller`);
  });

  it('switches to ON_DEMAND and pre-splits for warm throughput', async () => {
    const arn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }))).StreamDescriptionSummary!.StreamARN!;
    await client.send(new UpdateStreamModeCommand({ StreamARN: arn, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    // Warm throughput needs the account's On-demand Advantage commitment, as in Kinesis.
    await client.send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: 'ENABLED' } }));
    const warm = await client.send(new UpdateStreamWarmThroughputCommand({ StreamName: STREAM, WarmThroughputMiBps: 8 }));
    assert.equal(warm.WarmThroughput?.TargetMiBps, 8);
    await settle(8);
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
    assert.equal(summary.StreamDescriptionSummary?.StreamModeDetails?.StreamMode, 'ON_DEMAND');
    assert.equal(summary.StreamDescriptionSummary?.WarmThroughput?.CurrentMiBps, 8);
    await sleep(1_000);
    await writer.stop();
  });

  it('a consumer reading parents before children sees every acknowledged record once, in per-key order', async () => {
    const all = [...await shards()].sort((a, b) => (a.ShardId! < b.ShardId! ? -1 : 1));
    const seen = new Map<string, number[]>();
    const seqs = new Set<string>();
    for (const shard of all) {
      for (const r of await readWhole(shard)) {
        assert.ok(!seqs.has(r.seq), `sequence number ${r.seq} read twice`);
        seqs.add(r.seq);
        const [key, n] = r.text.split('#') as [string, string];
        let list = seen.get(key);
        if (!list) seen.set(key, (list = []));
        list.push(Number(n));
      }
    }
    const acked = writer.puts.filter((p) => p.ok);
    assert.ok(acked.length > 200, `only ${acked.length} puts acknowledged`);
    for (const key of KEYS) {
      const got = seen.get(key) ?? [];
      for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, `${key}: ${got[i - 1]} before ${got[i]}`);
      const gotSet = new Set(got);
      for (const p of acked.filter((x) => x.key === key)) assert.ok(gotSet.has(p.n), `${key}#${p.n} acknowledged but not read`);
    }
    for (const p of acked) assert.ok(seqs.has(p.sequenceNumber!), `sequence number of ${p.key}#${p.n} not read`);
    const closed = all.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber !== undefined);
    assert.ok(closed.length >= 8);
    assert.equal(closedSeen.size, closed.length, 'every closed shard ended with ChildShards and no NextShardIterator');
     
    console.log(`      ${acked.length} acknowledged, ${writer.puts.length - acked.length} failed puts, ${all.length} shards (${closed.length} closed)`);
  });

  it('a 10 MiB record round-trips byte for byte after UpdateMaxRecordSize', async () => {
    const arn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }))).StreamDescriptionSummary!.StreamARN!;
    const data = randomBytes(BIG_RECORD_BYTES);
    await assert.rejects(client.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'big', Data: data })), /ValidationException/);
    await client.send(new UpdateMaxRecordSizeCommand({ StreamARN: arn, MaxRecordSizeInKiB: 10240 }));
    await sleep(500);
    const put = await client.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'big', Data: data }));
    const it = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: put.ShardId!, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber! }));
    const page = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 1 }));
    const got = page.Records?.[0];
    assert.equal(got?.SequenceNumber, put.SequenceNumber);
    assert.ok(Buffer.from(got!.Data!).equals(data), '10 MiB record differs');
  });

  it('a closed shard that closed a retention period ago expires: not listed, not readable, its record deleted', async () => {
    const etcd = new Etcd3({ hosts: cluster.etcdEndpoint });
    try {
      const parent = (await shards()).find((s) => s.SequenceNumberRange?.EndingSequenceNumber !== undefined)!;
      const records = await etcd.getAll().prefix(`${DEFAULT_PREFIX}shards/`).strings();
      const [key, text] = Object.entries(records).find(([, v]) => {
        const r = JSON.parse(v) as ShardRecord;
        return r.streamName === STREAM && r.shardId === parent.ShardId;
      })!;
      const record = JSON.parse(text) as ShardRecord;
      assert.ok(record.closedMs !== undefined);
      // Closed 25 hours ago: past the default 24-hour retention.
      await etcd.put(key).value(JSON.stringify({ ...record, closedMs: Date.now() - 25 * 3_600_000 }));
      const deadline = Date.now() + SETTLE_WAIT_MS;
      while ((await etcd.get(key).string()) !== null) {
        if (Date.now() > deadline) throw new Error(`the controller did not delete the expired shard ${parent.ShardId}`);
        await sleep(POLL_MS);
      }
      const listed = await shards();
      assert.ok(!listed.some((s) => s.ShardId === parent.ShardId), 'ListShards lists an expired shard');
      assert.ok(listed.some((s) => s.ParentShardId === parent.ShardId || s.AdjacentParentShardId === parent.ShardId), 'its children no longer name it');
      const described = await client.send(new DescribeStreamCommand({ StreamName: STREAM }));
      assert.ok(!described.StreamDescription!.Shards!.some((s) => s.ShardId === parent.ShardId), 'DescribeStream lists an expired shard');
      await assert.rejects(client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: parent.ShardId!, ShardIteratorType: 'TRIM_HORIZON' })),
        (err: Error) => err.name === 'ResourceNotFoundException' && err.message === `Shard ${parent.ShardId} in stream ${STREAM} under account 000000000000 does not exist`);
    } finally {
      etcd.close();
    }
  });

  /** Every record of a shard; a closed shard must end with ChildShards and no NextShardIterator. */
  async function readWhole(shard: Shard): Promise<Array<{ seq: string; text: string }>> {
    const it = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    let iterator = it.ShardIterator;
    const out: Array<{ seq: string; text: string }> = [];
    const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
    for (let calls = 0; iterator && calls < READ_CALLS_MAX; calls++) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const r of page.Records ?? []) out.push({ seq: r.SequenceNumber!, text: Buffer.from(r.Data!).toString() });
      iterator = page.NextShardIterator;
      if (!iterator && (page.ChildShards ?? []).length > 0) closedSeen.add(shard.ShardId!);
      if (!closed && (page.Records ?? []).length === 0) break;
    }
    if (closed) assert.equal(iterator, undefined, `${shard.ShardId} is closed but reading it did not end`);
    return out;
  }
});

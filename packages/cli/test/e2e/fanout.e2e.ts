/**
 * Enhanced fan-out end to end, on a real cluster whose api runs with a
 * test-short subscription session (SHOAL_SUBSCRIPTION_SESSION_MS): registered
 * consumers and SubscribeToShard through the JS SDK v3 over HTTP/2 (its
 * default) and HTTP/1.1, boto3's subscribe_to_shard, and raw clients that
 * check the framing and the timing (initial-response first, idle events,
 * the session's end, the 5-second takeover rule across two api processes).
 * Then a leader move and a split under subscribers: every record reaches
 * every subscription once, in order, and a split parent's subscription ends
 * with its ChildShards.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, ListStreamConsumersCommand, PutRecordsCommand,
  SplitShardCommand, type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { REPO_ROOT } from '../../src/cluster-config';
import { ClusterHarness } from './cluster-harness';
import { waitActive } from './kinesis-helpers';
import { activeConsumer, rawSubscribe, readShardByFanOut, type DeliveredRecord } from './fanout-helpers';
import { pythonWithBoto3 } from './python';

const CREDENTIALS = { accessKeyId: 'AKIDSHOALFANOUT', secretAccessKey: 'shoal-e2e-secret' };
const REGION = 'us-east-1';
const API_PORT = Number(process.env['SHOAL_E2E_FANOUT_API_PORT'] ?? 24567);
/** The second api process (takeover across processes); outside the cluster's ports (etcd -188, nodes +33..+250). */
const API_2_PORT = API_PORT + 4;
/** The test-short session: long enough for a few events, short enough to see several sessions end. */
const SESSION_MS = 8_000;
/** Kinesis sends an event at least this often. */
const EVENT_GAP_MS_MAX = 5_000;
const RECORDS_PER_CALL = 100;

interface Put { readonly sequenceNumber: string; readonly shardId: string; readonly data: Buffer; readonly ackedMs: number }

describe('enhanced fan-out end to end', function () {
  this.timeout(300_000);
  const cluster = new ClusterHarness({ apiPort: API_PORT, env: { SHOAL_SUBSCRIPTION_SESSION_MS: String(SESSION_MS) }, upArgs: ['--lease-ttl-sec', '3'] });
  let h2: KinesisClient;
  let h1: KinesisClient;
  let streamArn = '';
  let shards: Shard[] = [];
  const puts: Put[] = [];
  const STREAM = 'fanout-e2e';

  async function putBatch(count: number, tag: string): Promise<Put[]> {
    const entries = Array.from({ length: count }, (_, i) => ({ PartitionKey: `${tag}-${i}`, Data: Buffer.from(`${tag}-${i}`) }));
    const res = await h2.send(new PutRecordsCommand({ StreamName: STREAM, Records: entries }));
    const ackedMs = Date.now();
    assert.equal(res.FailedRecordCount ?? 0, 0);
    const out = res.Records!.map((r, i) => ({ sequenceNumber: r.SequenceNumber!, shardId: r.ShardId!, data: entries[i]!.Data, ackedMs }));
    puts.push(...out);
    return out;
  }

  /** Every record of `shardId` once, in order, as acknowledged. */
  function assertExactly(shardId: string, got: readonly DeliveredRecord[], expected: readonly Put[] = puts): void {
    const want = expected.filter((p) => p.shardId === shardId);
    assert.deepEqual(got.map((r) => r.sequenceNumber), want.map((p) => p.sequenceNumber), `records of ${shardId}`);
    got.forEach((r, i) => assert.ok(r.data.equals(want[i]!.data)));
  }

  before(async function () {
    this.timeout(180_000);
    cluster.up();
    h2 = new KinesisClient({ endpoint: cluster.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    h1 = new KinesisClient({ endpoint: cluster.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    await h2.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }));
    await waitActive(h2, STREAM);
    streamArn = (await h2.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }))).StreamDescriptionSummary!.StreamARN!;
    shards = (await h2.send(new ListShardsCommand({ StreamName: STREAM }))).Shards!;
    await putBatch(RECORDS_PER_CALL, 'before');
  });

  after(function () {
    this.timeout(60_000);
    h2?.destroy();
    h1?.destroy();
    cluster.destroy();
  });

  it('delivers every record once, in order, to the JS SDK over HTTP/2 and HTTP/1.1, across session ends', async () => {
    const consumerH2 = await activeConsumer(h2, streamArn, 'js-h2');
    const consumerH1 = await activeConsumer(h1, streamArn, 'js-h1');
    // Writes keep coming while the readers run, so sessions end (8 s) in the middle of the data.
    let writingDone = false;
    const writing = (async () => { for (let i = 0; i < 6; i++) { await putBatch(RECORDS_PER_CALL, `during-${i}`); await sleep(2_500); } writingDone = true; })();
    const total = (shardId: string): number => puts.filter((p) => p.shardId === shardId).length;
    const readers = [];
    for (const [client, arn] of [[h2, consumerH2], [h1, consumerH1]] as const) {
      for (const s of shards) {
        readers.push(readShardByFanOut(client, arn, s.ShardId!, { Type: 'TRIM_HORIZON' }, (got) => writingDone && got.length >= total(s.ShardId!)));
      }
    }
    // The two consumers of a shard share the api's storage Subscribe call while both read (shard feeds).
    let sharedSeen = false;
    const sampling = (async () => {
      while (!writingDone) {
        const text = await (await fetch(`${cluster.endpoint}/metrics`)).text();
        const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
        if (gauge('shoal_api_subscriptions_open') === 2 * shards.length && gauge('shoal_api_subscribe_feeds_open') === shards.length) sharedSeen = true;
        await sleep(100);
      }
    })();
    await writing;
    await sampling;
    assert.ok(sharedSeen, 'at some point 4 subscriptions were open over 2 storage calls');
    const results = await Promise.all(readers);
    results.forEach((r, i) => {
      const shardId = shards[i % shards.length]!.ShardId!;
      assertExactly(shardId, r.records);
      // Continuation: the last record's number in every event with records; MillisBehindLatest a number >= 0.
      for (const e of r.events) {
        assert.ok(typeof e.millisBehindLatest === 'number' && e.millisBehindLatest >= 0);
        if (e.records.length > 0) assert.equal(e.continuation, e.records[e.records.length - 1]!.sequenceNumber);
      }
    });
    assert.ok(results.some((r) => r.subscriptions > 1), 'a session ended and the reader resubscribed with the continuation');
    const listed = await h1.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    assert.deepEqual(listed.Consumers!.map((c) => [c.ConsumerName, c.ConsumerStatus]), [['js-h2', 'ACTIVE'], ['js-h1', 'ACTIVE']]);
  });

  it('delivers to boto3 subscribe_to_shard (initial-response first)', async () => {
    const consumer = await activeConsumer(h2, streamArn, 'boto3');
    const shardId = shards[0]!.ShardId!;
    const expected = puts.filter((p) => p.shardId === shardId);
    const script = `
import boto3, json, sys
k = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name='${REGION}', aws_access_key_id='${CREDENTIALS.accessKeyId}', aws_secret_access_key='${CREDENTIALS.secretAccessKey}')
want = int(sys.argv[4])
seqs, conts = [], []
position = {'Type': 'TRIM_HORIZON'}
for _ in range(20):
    res = k.subscribe_to_shard(ConsumerARN=sys.argv[2], ShardId=sys.argv[3], StartingPosition=position)
    for ev in res['EventStream']:
        e = ev['SubscribeToShardEvent']
        seqs += [r['SequenceNumber'] for r in e['Records']]
        conts.append(e['ContinuationSequenceNumber'])
        if len(seqs) >= want: break
    if len(seqs) >= want: break
    position = {'Type': 'AFTER_SEQUENCE_NUMBER', 'SequenceNumber': conts[-1]}
print(json.dumps({'seqs': seqs, 'last': conts[-1]}))
`;
    const out = JSON.parse(execFileSync(pythonWithBoto3(), ['-c', script, cluster.endpoint, consumer, shardId, String(expected.length)], { encoding: 'utf8', timeout: 120_000 })) as { seqs: string[]; last: string };
    assert.deepEqual(out.seqs, expected.map((p) => p.sequenceNumber));
    assert.equal(out.last, expected[expected.length - 1]!.sequenceNumber);
  });

  it('frames events for raw HTTP/1.1 and HTTP/2 clients: initial-response first, an event at least every 5 s, records within a second of their acknowledgement, the end after the session', async () => {
    const consumer = await activeConsumer(h2, streamArn, 'raw');
    const shardId = shards[1]!.ShardId!;
    for (const [protocol, shard] of [['h1', shardId], ['h2', shards[0]!.ShardId!]] as const) {
      const started = Date.now();
      const sub = await rawSubscribe(cluster.endpoint, protocol, { ConsumerARN: consumer, ShardId: shard, StartingPosition: { Type: 'LATEST' } });
      assert.equal(sub.status, 200);
      assert.equal(sub.contentType, 'application/vnd.amazon.eventstream');
      await sleep(1_000);
      const written = await putBatch(10, `raw-${protocol}`);
      await sub.done;
      const ended = Date.now();
      const [first, ...rest] = sub.messages;
      assert.deepEqual(first!.headers, { ':message-type': 'event', ':event-type': 'initial-response', ':content-type': 'application/x-amz-json-1.1' });
      assert.ok(rest.length >= 2 && rest.every((m) => m.headers[':event-type'] === 'SubscribeToShardEvent' && m.headers[':message-type'] === 'event'));
      // The subscription ends after the session (8 s), not before and not much later.
      assert.ok(ended - started >= SESSION_MS - 500 && ended - started < SESSION_MS + 5_000, `session lasted ${ended - started} ms`);
      const times = sub.messages.map((m) => m.receivedMs);
      for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! <= EVENT_GAP_MS_MAX, `gap of ${times[i]! - times[i - 1]!} ms between events`);
      const got = rest.flatMap((m) => (m.payload['Records'] as Array<{ SequenceNumber: string }>).map((r) => ({ seq: r.SequenceNumber, at: m.receivedMs })));
      const mine = written.filter((p) => p.shardId === shard);
      assert.deepEqual(got.map((g) => g.seq), mine.map((p) => p.sequenceNumber));
      for (const g of got) assert.ok(g.at - mine[0]!.ackedMs < 1_000, `delivered ${g.at - mine[0]!.ackedMs} ms after the acknowledgement`);
    }
  });

  it('refuses a second subscription within 5 s on another api process, then lets it take over; the first ends with ResourceInUseException; a dead api\'s subscription is taken over elsewhere', async () => {
    const consumer = await activeConsumer(h2, streamArn, 'takeover');
    const api2 = startSecondApi(cluster);
    try {
      const endpoint2 = `http://127.0.0.1:${API_2_PORT}`;
      await waitHealthy(endpoint2);
      const body = { ConsumerARN: consumer, ShardId: shards[0]!.ShardId!, StartingPosition: { Type: 'LATEST' } };
      const first = await rawSubscribe(cluster.endpoint, 'h2', body);
      assert.equal(first.status, 200);
      const firstMs = Date.now();
      const refused = await rawSubscribe(endpoint2, 'h1', body);
      await refused.done;
      assert.equal(refused.status, 400);
      await sleep(Math.max(0, 5_000 - (Date.now() - firstMs)) + 1_000);
      const second = await rawSubscribe(endpoint2, 'h1', body);
      const secondOkMs = Date.now();
      assert.equal(second.status, 200);
      await first.done;
      const last = first.messages[first.messages.length - 1]!;
      assert.equal(last.headers[':message-type'], 'exception');
      assert.equal(last.headers[':exception-type'], 'ResourceInUseException');
      assert.ok(Date.now() - firstMs < SESSION_MS, 'the first ended by the takeover, not by its session');
      // The api process serving the subscription dies: the stream ends, and the client subscribes again on the other one
      // (refused until the claim's 5 s lease runs out, by etcd's clock).
      const secondMs = Date.now();
      api2.kill('SIGKILL');
      await second.done;
      let again = await rawSubscribe(cluster.endpoint, 'h1', body);
      while (again.status !== 200 && Date.now() - secondMs < 15_000) {
        await again.done;
        await sleep(500);
        again = await rawSubscribe(cluster.endpoint, 'h1', body);
      }
      assert.equal(again.status, 200);
      assert.ok(Date.now() - secondOkMs >= 4_000, 'not before the claim of the dead process expired');
      again.close();
    } finally {
      api2.kill('SIGKILL');
    }
  });

  it('keeps every subscription whole through a leader move, and ends a split parent with its ChildShards', async () => {
    const consumer = await activeConsumer(h2, streamArn, 'reshard');
    const parent = shards[0]!;
    const already = puts.length;
    let finished = false;
    const total = (shardId: string): number => puts.filter((p) => p.shardId === shardId).length;
    const readers = shards.map((s) => readShardByFanOut(h2, consumer, s.ShardId!, { Type: 'TRIM_HORIZON' }, (got) => finished && got.length >= total(s.ShardId!)));
    await putBatch(RECORDS_PER_CALL, 'pre-move');
    const status = await cluster.statusAsync();
    const sh = status.streams.find((s) => s.streamName === STREAM)!.shards.find((s) => s.shardId === parent.ShardId)!;
    const to = sh.isr.find((id) => id !== sh.leader)!;
    const moving = cluster.cliAsync('move-leader', '--stream', STREAM, '--shard', parent.ShardId!, '--to', to, '--wait-sec', '30');
    for (let i = 0; i < 3; i++) await putBatch(RECORDS_PER_CALL, `moving-${i}`);
    await moving;
    await putBatch(RECORDS_PER_CALL, 'post-move');
    const mid = (BigInt(parent.HashKeyRange!.StartingHashKey!) + BigInt(parent.HashKeyRange!.EndingHashKey!)) / 2n;
    await h2.send(new SplitShardCommand({ StreamName: STREAM, ShardToSplit: parent.ShardId!, NewStartingHashKey: mid.toString() }));
    await waitActive(h2, STREAM);
    const parentRead = await readers[0]!;
    assertExactly(parent.ShardId!, parentRead.records);
    const children = parentRead.childShards!;
    assert.equal(children.length, 2);
    for (const c of children) assert.deepEqual(c.ParentShards, [parent.ShardId]);
    const last = parentRead.events[parentRead.events.length - 1]!;
    assert.equal(last.continuation, undefined);
    assert.ok(parentRead.events.slice(0, -1).every((e) => e.continuation !== undefined && (e.childShards ?? []).length === 0));
    // After the split, records of the parent's range go to the children; their subscriptions get them from TRIM_HORIZON.
    const after = await putBatch(RECORDS_PER_CALL, 'post-split');
    finished = true;
    assertExactly(shards[1]!.ShardId!, (await readers[1]!).records);
    for (const c of children) {
      const want = after.filter((p) => p.shardId === c.ShardId);
      const got = await readShardByFanOut(h2, consumer, c.ShardId!, { Type: 'TRIM_HORIZON' }, (r) => r.length >= want.length);
      assert.deepEqual(got.records.map((r) => r.sequenceNumber), want.map((p) => p.sequenceNumber));
    }
    assert.ok(puts.length > already);
  });

  it('deletes the stream with its consumers only with EnforceConsumerDeletion', async () => {
    await assert.rejects(h2.send(new DeleteStreamCommand({ StreamName: STREAM })), (err: Error) => err.name === 'ResourceInUseException');
    await h2.send(new DeleteStreamCommand({ StreamName: STREAM, EnforceConsumerDeletion: true }));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await h2.send(new ListStreamConsumersCommand({ StreamARN: streamArn })).catch((err: Error) => err);
      if (res instanceof Error && res.name === 'ResourceNotFoundException') break;
      assert.ok(Date.now() < deadline, 'stream and consumers gone');
      await sleep(200);
    }
  });
});

/** A second api process on the same cluster (etcd of the harness). */
function startSecondApi(cluster: ClusterHarness): ChildProcess {
  const etcd = `http://127.0.0.1:${cluster.apiPort - 188}`;
  return spawn(process.execPath, [join(REPO_ROOT, 'packages/api/dist/src/main.js'), '--host', '127.0.0.1', '--port', String(API_2_PORT), '--etcd', etcd], {
    stdio: 'ignore', env: { ...process.env, SHOAL_SUBSCRIPTION_SESSION_MS: String(SESSION_MS) },
  });
}

async function waitHealthy(endpoint: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${endpoint} not healthy`);
    await sleep(200);
  }
}

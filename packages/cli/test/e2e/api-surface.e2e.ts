/**
 * End to end, the operations of the API surface issue (tags, retention,
 * enhanced monitoring, DescribeLimits, account settings, record
 * distribution, encryption at rest) through every client users run: the
 * JS SDK v3 over HTTP/2 and HTTP/1.1, the AWS CLI v2 and boto3, against a
 * real cluster started by the CLI; and the AWS SDKs for Go v1 and v2
 * through a whole stream's life, fan-out included, over HTTP/1.1 and over
 * TLS with HTTP/2 (./go). Encryption at rest is checked where it matters:
 * the bytes of records written while a stream was encrypted are nowhere in
 * the cluster's data directory, those written before and after
 * are on every replica, and all of them read back, also after a restart.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TempDirs } from '@shoal/testkit';
import { boto3Client, CallError, cliClient, sdkCall, sdkClients, type KinesisCall, type Output, type ProcessClient, type SdkClients } from './client-adapters';
import { ClusterHarness } from './cluster-harness';
import { buildGoProgram, type GoSdk } from './go-sdk';
import { pythonWithBoto3 } from './python';

const ACTIVE_WAIT_MS = 60_000;
const POLL_MS = 200;
const ACCOUNT = '000000000000';
const GO_PROGRAM_TIMEOUT_MS = 240_000;

interface Markers { readonly stream: string; readonly before: string; readonly during: string; readonly after: string }

async function waitStatus(call: KinesisCall, streamName: string, ok: (summary: Output) => boolean): Promise<Output> {
  const deadline = Date.now() + ACTIVE_WAIT_MS;
  for (;;) {
    const summary = (await call('DescribeStreamSummary', { StreamName: streamName }))['StreamDescriptionSummary'] as Output;
    if (summary['StreamStatus'] === 'ACTIVE' && ok(summary)) return summary;
    if (Date.now() > deadline) throw new Error(`${streamName} not settled after ${ACTIVE_WAIT_MS} ms: ${JSON.stringify(summary)}`);
    await sleep(POLL_MS);
  }
}

async function rejectsWith(p: Promise<unknown>, type: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.ok(err instanceof CallError, String(err));
    assert.equal(err.type, type, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

/** Every record of a stream's shards from TRIM_HORIZON. */
async function readStream(call: KinesisCall, streamName: string): Promise<Output[]> {
  const shards = (await call('ListShards', { StreamName: streamName }))['Shards'] as Output[];
  const out: Output[] = [];
  for (const shard of shards) {
    const it = await call('GetShardIterator', { StreamName: streamName, ShardId: shard['ShardId'], ShardIteratorType: 'TRIM_HORIZON' });
    out.push(...((await call('GetRecords', { ShardIterator: it['ShardIterator'] }))['Records'] as Output[]));
  }
  return out;
}

/** The steps every client takes; `suffix` keeps each client's streams apart. */
async function tagsRetentionMonitoring(call: KinesisCall, suffix: string): Promise<void> {
  const name = `e2e-api-${suffix}`;
  const arn = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;
  await call('CreateStream', { StreamName: name, ShardCount: 2, Tags: { created: suffix } });
  await waitStatus(call, name, () => true);
  await call('AddTagsToStream', { StreamName: name, Tags: { team: 'data', env: 'test' } });
  await call('RemoveTagsFromStream', { StreamName: name, TagKeys: ['env', 'absent'] });
  assert.deepEqual(await call('ListTagsForStream', { StreamName: name }),
    { Tags: [{ Key: 'created', Value: suffix }, { Key: 'team', Value: 'data' }], HasMoreTags: false });
  await call('TagResource', { ResourceARN: arn, Tags: { owner: suffix } });
  await call('UntagResource', { ResourceARN: arn, TagKeys: ['created'] });
  assert.deepEqual((await call('ListTagsForResource', { ResourceARN: arn }))['Tags'], [{ Key: 'owner', Value: suffix }, { Key: 'team', Value: 'data' }]);
  await rejectsWith(call('AddTagsToStream', { StreamName: name, Tags: { 'a;b': 'x' } }), 'InvalidArgumentException', /invalid characters/);

  await call('IncreaseStreamRetentionPeriod', { StreamName: name, RetentionPeriodHours: 168 });
  assert.equal((await waitStatus(call, name, () => true))['RetentionPeriodHours'], 168);
  await rejectsWith(call('IncreaseStreamRetentionPeriod', { StreamName: name, RetentionPeriodHours: 48 }), 'InvalidArgumentException', /can not be shorter/);
  await call('DecreaseStreamRetentionPeriod', { StreamARN: arn, RetentionPeriodHours: 24 });
  await rejectsWith(call('DecreaseStreamRetentionPeriod', { StreamName: name, RetentionPeriodHours: 12 }), 'InvalidArgumentException', /Minimum allowed retention period is 24 hours/);
  assert.equal((await waitStatus(call, name, () => true))['RetentionPeriodHours'], 24);

  const enabled = await call('EnableEnhancedMonitoring', { StreamName: name, ShardLevelMetrics: ['ALL'] });
  assert.deepEqual([enabled['CurrentShardLevelMetrics'], (enabled['DesiredShardLevelMetrics'] as string[]).length], [[], 7]);
  const disabled = await call('DisableEnhancedMonitoring', { StreamName: name, ShardLevelMetrics: ['IncomingBytes', 'OutgoingBytes'] });
  assert.equal((disabled['DesiredShardLevelMetrics'] as string[]).length, 5);
  const described = (await call('DescribeStream', { StreamName: name }))['StreamDescription'] as Output;
  assert.deepEqual(described['EnhancedMonitoring'], [{ ShardLevelMetrics: disabled['DesiredShardLevelMetrics'] }]);

  const limits = await call('DescribeLimits', {});
  assert.equal(limits['ShardLimit'], 20000);
  assert.ok((limits['OpenShardCount'] as number) >= 2, JSON.stringify(limits));
  assert.equal(limits['OnDemandStreamCountLimit'], 50);
}

async function accountSettings(call: KinesisCall): Promise<void> {
  const commitment = async (op: string, status?: string) =>
    (await call(op, status ? { MinimumThroughputBillingCommitment: { Status: status } } : {}))['MinimumThroughputBillingCommitment'] as Output;
  assert.equal((await commitment('UpdateAccountSettings', 'ENABLED'))['Status'], 'ENABLED');
  assert.equal((await commitment('UpdateAccountSettings', 'DISABLED'))['Status'], 'ENABLED_UNTIL_EARLIEST_ALLOWED_END');
  assert.equal((await commitment('UpdateAccountSettings', 'ENABLED'))['Status'], 'ENABLED');
  const described = await commitment('DescribeAccountSettings');
  assert.equal(described['Status'], 'ENABLED');
  assert.ok(described['StartedAt'] !== undefined && described['EarliestAllowedEndAt'] !== undefined, JSON.stringify(described));
}

async function recordDistribution(call: KinesisCall, suffix: string): Promise<void> {
  const name = `e2e-od-${suffix}`;
  const arn = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;
  await call('CreateStream', { StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
  await waitStatus(call, name, () => true);
  await call('UpdateStreamRecordDistributionStrategy', { StreamARN: arn, RecordDistributionStrategy: 'AUTO' });
  const put = await call('PutRecords', { StreamName: name, Records: Array.from({ length: 8 }, (_, i) => ({ Data: Buffer.from(`auto-${i}`) })) });
  assert.equal(put['FailedRecordCount'], 0);
  const perShard = new Map<string, number>();
  for (const r of put['Records'] as Output[]) perShard.set(r['ShardId'] as string, (perShard.get(r['ShardId'] as string) ?? 0) + 1);
  assert.deepEqual([...perShard.values()], [2, 2, 2, 2], 'even over the four open shards');
  await rejectsWith(call('PutRecord', { StreamName: name, Data: Buffer.from('x'), SequenceNumberForOrdering: '1' }), 'InvalidArgumentException');
  const records = await readStream(call, name);
  assert.equal(records.length, 8);
  assert.ok(records.every((r) => r['PartitionKey'] === undefined), 'no partition key written, none read');
  assert.deepEqual(records.map((r) => (r['Data'] as Buffer).toString()).sort(), Array.from({ length: 8 }, (_, i) => `auto-${i}`));
}

/** Writes a record before, during and after encryption; returns the markers (the data directory check comes later). */
async function encryption(call: KinesisCall, suffix: string): Promise<Markers> {
  const stream = `e2e-sse-${suffix}`;
  const marker = (when: string) => `${when}-${suffix}-${randomBytes(16).toString('hex')}`;
  const m = { stream, before: marker('BEFORE'), during: marker('DURING'), after: marker('AFTER') };
  await call('CreateStream', { StreamName: stream, ShardCount: 1 });
  await waitStatus(call, stream, () => true);
  const plain = await call('PutRecord', { StreamName: stream, PartitionKey: `key-${m.before}`, Data: Buffer.from(m.before) });
  assert.equal(plain['EncryptionType'], undefined);
  await call('StartStreamEncryption', { StreamName: stream, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
  await waitStatus(call, stream, (s) => s['EncryptionType'] === 'KMS' && s['KeyId'] === 'alias/aws/kinesis');
  const sealed = await call('PutRecord', { StreamName: stream, PartitionKey: `key-${m.during}`, Data: Buffer.from(m.during) });
  assert.equal(sealed['EncryptionType'], 'KMS');
  await rejectsWith(call('StartStreamEncryption', { StreamName: stream, EncryptionType: 'KMS', KeyId: 'no-such-key' }), 'KMSNotFoundException');
  await call('StopStreamEncryption', { StreamName: stream, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
  await waitStatus(call, stream, (s) => s['EncryptionType'] === 'NONE');
  await call('PutRecord', { StreamName: stream, PartitionKey: `key-${m.after}`, Data: Buffer.from(m.after) });
  await expectMarkers(call, m);
  return m;
}

/** All three records read back, decrypted, with their keys, in order. */
async function expectMarkers(call: KinesisCall, m: Markers): Promise<void> {
  const records = await readStream(call, m.stream);
  assert.deepEqual(records.map((r) => [(r['Data'] as Buffer).toString(), r['PartitionKey'], r['EncryptionType'] ?? 'NONE']), [
    [m.before, `key-${m.before}`, 'NONE'], [m.during, `key-${m.during}`, 'KMS'], [m.after, `key-${m.after}`, 'NONE'],
  ]);
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path)); else out.push(path);
  }
  return out;
}

/** Whether any file under `dir` holds `text`'s bytes. */
function foundUnder(dir: string, text: string): boolean {
  const needle = Buffer.from(text);
  return filesUnder(dir).some((f) => readFileSync(f).includes(needle));
}

describe('API surface end to end: every client', function () {
  this.timeout(300_000);
  const cluster = new ClusterHarness();
  let sdkPair: SdkClients;
  let boto3: ProcessClient | undefined;
  let cli: ProcessClient | undefined;
  let clients: Array<{ name: string; call: KinesisCall }>;
  const markers: Markers[] = [];
  /** Where the Go SDKs' test program is built (removed afterwards). */
  const goDirs = new TempDirs('shoal-go-');

  before(function () {
    this.timeout(180_000);
    cluster.up();
    sdkPair = sdkClients(cluster.endpoint);
    boto3 = boto3Client(pythonWithBoto3(), cluster.endpoint);
    cli = cliClient(cluster.endpoint);
    clients = [
      { name: 'h2', call: sdkCall(sdkPair.h2) },
      { name: 'h1', call: sdkCall(sdkPair.h1) },
      { name: 'cli', call: cli.call },
      { name: 'py', call: boto3.call },
    ];
  });

  after(function () {
    this.timeout(60_000);
    sdkPair?.destroy();
    boto3?.close();
    cli?.close();
    cluster.destroy();
    goDirs.removeAll();
  });

  it('created the master key for encryption at rest in the data directory, readable by its owner only', () => {
    assert.equal(statSync(join(cluster.dataDir, 'master.key')).mode & 0o777, 0o600);
  });

  for (const client of ['h2', 'h1', 'cli', 'py']) {
    it(`${client}: tags, retention, enhanced monitoring, DescribeLimits`, async () => {
      await tagsRetentionMonitoring(clients.find((c) => c.name === client)!.call, client);
    });
    it(`${client}: account settings`, async () => {
      await accountSettings(clients.find((c) => c.name === client)!.call);
    });
    it(`${client}: record distribution AUTO, records without partition keys`, async () => {
      await recordDistribution(clients.find((c) => c.name === client)!.call, client);
    });
    it(`${client}: encryption at rest, records before, during and after read back`, async () => {
      markers.push(await encryption(clients.find((c) => c.name === client)!.call, client));
    });
  }

  // Over http:// Go speaks HTTP/1.1; over https:// (the cluster's TLS port, its certificate trusted) HTTP/2 by ALPN.
  let goProgram: string | undefined;
  for (const sdk of ['v1', 'v2'] as GoSdk[]) {
    for (const tls of [false, true]) {
      it(`the AWS SDK for Go ${sdk} over ${tls ? 'TLS (HTTP/2)' : 'HTTP/1.1'}: a stream's life, records read back and subscribed to, typed errors`, async () => {
        goProgram ??= buildGoProgram(goDirs.make());
        const program = goProgram;
        const cert = join(cluster.dataDir, 'tls', 'cert.pem');
        const args = tls ? [sdk, `https://localhost:${cluster.apiPort + 1}`, cert] : [sdk, cluster.endpoint];
        // The v1 SDK loads AWS_CA_BUNDLE, when set, into its client's trusted roots in place of the program's: point it at the cluster's too.
        const env = tls ? { ...process.env, AWS_CA_BUNDLE: cert } : process.env;
        const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
          const child = execFile(program, args, { timeout: GO_PROGRAM_TIMEOUT_MS, env }, (_err, out, err) => resolve({ code: child.exitCode, stdout: `${out}${err}` }));
        });
        assert.equal(code, 0, stdout);
        assert.match(stdout, tls ? /^ok {3}spoke HTTP\/2\.0$/m : /^ok {3}spoke HTTP\/1\.1$/m);
        assert.match(stdout, /^ALL OK$/m);
      });
    }
  }

  it('holds no byte of a record written during encryption anywhere in the data directory, and the others on every replica', () => {
    assert.equal(markers.length, 4);
    const nodes = join(cluster.dataDir, 'nodes');
    const replicas = readdirSync(nodes).map((n) => join(nodes, n));
    assert.equal(replicas.length, 3);
    for (const m of markers) {
      for (const dir of replicas) {
        assert.ok(foundUnder(dir, m.before), `${m.before} on ${dir}`);
        assert.ok(foundUnder(dir, m.after), `${m.after} on ${dir}`);
      }
      assert.equal(foundUnder(cluster.dataDir, m.during), false, `${m.during} found in the data directory`);
      assert.equal(foundUnder(cluster.dataDir, `key-${m.during}`), false, `key-${m.during} found in the data directory`);
    }
  });

  it('reads every record back after the whole cluster restarts (the master key file is kept)', async function () {
    this.timeout(180_000);
    cluster.down();
    cluster.up();
    sdkPair.destroy();
    sdkPair = sdkClients(cluster.endpoint);
    const call = sdkCall(sdkPair.h1);
    for (const m of markers) {
      await waitStatus(call, m.stream, () => true);
      await expectMarkers(call, m);
    }
  });
});

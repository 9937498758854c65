/**
 * End to end: a real cluster (etcd, three storage nodes in three AZs, the
 * controller, the api) started by the CLI, driven by real clients: the JS
 * SDK v3 over HTTP/2 and HTTP/1.1, the AWS CLI v2 and boto3.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListStreamsCommand, PutRecordCommand, PutRecordsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HASH_KEY_MAX, partitionKeyToHashKey } from '@shoal/core';
import { ClusterHarness } from './cluster-harness';
import { listShards, readShard, shardFor, waitActive, type ReadRecord } from './kinesis-helpers';
import { pythonWithBoto3 } from './python';

const CREDENTIALS = { accessKeyId: 'AKIDSHOALE2E', secretAccessKey: 'shoal-e2e-secret' };
const REGION = 'us-east-1';
const AWS_CLI = '/usr/bin/aws';
const PUT_RECORDS_COUNT = 300;

interface Written { readonly shardId: string; readonly sequenceNumber: string; readonly partitionKey: string; readonly data: Buffer }

describe('shoal end to end', function () {
  this.timeout(120_000);
  const cluster = new ClusterHarness();
  let h2: KinesisClient;
  let h1: KinesisClient;
  const written: Written[] = [];
  let shards: Shard[] = [];

  before(function () {
    this.timeout(180_000);
    cluster.up();
    connect();
  });

  /** New clients (pooled connections do not survive a cluster restart). */
  function connect(): void {
    h2?.destroy();
    h1?.destroy();
    h2 = new KinesisClient({ endpoint: cluster.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    h1 = new KinesisClient({ endpoint: cluster.endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
  }

  after(function () {
    this.timeout(60_000);
    h2?.destroy();
    h1?.destroy();
    cluster.destroy();
  });

  it('status shows three storage nodes in three AZs', () => {
    const report = cluster.status();
    const nodes = report.processes.filter((p) => p.role === 'storage-node');
    assert.equal(nodes.length, 3);
    assert.ok(nodes.every((n) => n.alive && n.healthy), JSON.stringify(nodes));
    assert.deepEqual(new Set(report.nodes.map((n) => n.az)), new Set(['az-a', 'az-b', 'az-c']));
    for (const role of ['etcd', 'controller', 'api']) assert.ok(report.processes.some((p) => p.role === role && p.alive && p.healthy), role);
  });

  it('creates streams over HTTP/2 and HTTP/1.1, each shard replicated in three AZs', async () => {
    await h2.send(new CreateStreamCommand({ StreamName: 'e2e-h2', ShardCount: 4 }));
    await h1.send(new CreateStreamCommand({ StreamName: 'e2e-h1', ShardCount: 1 }));
    await waitActive(h2, 'e2e-h2');
    await waitActive(h1, 'e2e-h1');
    shards = await listShards(h1, 'e2e-h2');
    assert.equal(shards.length, 4);
    const report = cluster.status();
    const stream = report.streams.find((s) => s.streamName === 'e2e-h2');
    assert.ok(stream);
    assert.equal(stream.shards.length, 4);
    for (const sh of stream.shards) {
      assert.equal(sh.replicas.length, 3);
      assert.deepEqual(new Set(sh.replicas.map((r) => r.az)), new Set(['az-a', 'az-b', 'az-c']));
      assert.ok(sh.isr.includes(sh.leader));
    }
  });

  it('puts records with PutRecord (with and without ExplicitHashKey) to the shard their hash key maps to', async () => {
    for (let i = 0; i < 8; i++) {
      const partitionKey = `key-${i}`;
      const data = randomBytes(1 + i * 100);
      const client = i % 2 === 0 ? h2 : h1;
      const res = await client.send(new PutRecordCommand({ StreamName: 'e2e-h2', PartitionKey: partitionKey, Data: data }));
      assert.equal(res.ShardId, shardFor(shards, partitionKeyToHashKey(partitionKey)));
      written.push({ shardId: res.ShardId!, sequenceNumber: res.SequenceNumber!, partitionKey, data });
    }
    for (const shard of shards) {
      const hashKey = BigInt(shard.HashKeyRange!.EndingHashKey!);
      const data = randomBytes(64);
      const res = await h2.send(new PutRecordCommand({ StreamName: 'e2e-h2', PartitionKey: 'explicit', ExplicitHashKey: hashKey.toString(), Data: data }));
      assert.equal(res.ShardId, shard.ShardId);
      written.push({ shardId: res.ShardId!, sequenceNumber: res.SequenceNumber!, partitionKey: 'explicit', data });
    }
  });

  it('puts a PutRecords batch over several shards, keeping request order within a shard', async () => {
    const entries = Array.from({ length: PUT_RECORDS_COUNT }, (_, i) => ({ PartitionKey: `batch-${i % 37}`, Data: randomBytes(i % 512) }));
    const res = await h1.send(new PutRecordsCommand({ StreamName: 'e2e-h2', Records: entries }));
    assert.equal(res.FailedRecordCount ?? 0, 0);
    assert.equal(res.Records!.length, PUT_RECORDS_COUNT);
    const lastSeq = new Map<string, bigint>();
    res.Records!.forEach((r, i) => {
      const entry = entries[i]!;
      assert.equal(r.ShardId, shardFor(shards, partitionKeyToHashKey(entry.PartitionKey)));
      const seq = BigInt(r.SequenceNumber!);
      assert.ok(seq > (lastSeq.get(r.ShardId!) ?? -1n), 'request order within a shard');
      lastSeq.set(r.ShardId!, seq);
      written.push({ shardId: r.ShardId!, sequenceNumber: r.SequenceNumber!, partitionKey: entry.PartitionKey, data: Buffer.from(entry.Data) });
    });
    assert.ok(lastSeq.size >= 3, `batch reached ${lastSeq.size} shards`);
  });

  it('reads every record back byte for byte, in sequence number order, from its shard', async () => {
    await checkAllRecords();
  });

  it('works with the AWS CLI v2', () => {
    assert.ok(existsSync(AWS_CLI), `${AWS_CLI} is missing: install the Debian awscli package (.ci/run does)`);
    const aws = (...args: string[]): string => execFileSync(AWS_CLI, ['--endpoint-url', cluster.endpoint, '--output', 'json', 'kinesis', ...args], {
      encoding: 'utf8', timeout: 60_000,
      env: { ...process.env, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: REGION, AWS_PAGER: '' },
    });
    aws('create-stream', '--stream-name', 'e2e-cli', '--shard-count', '1');
    aws('wait', 'stream-exists', '--stream-name', 'e2e-cli');
    const put = JSON.parse(aws('put-record', '--stream-name', 'e2e-cli', '--partition-key', 'k', '--cli-binary-format', 'raw-in-base64-out', '--data', 'hello from the cli')) as { ShardId: string; SequenceNumber: string };
    const put64 = JSON.parse(aws('put-record', '--stream-name', 'e2e-cli', '--partition-key', 'k', '--data', Buffer.from('base64 data').toString('base64'))) as { SequenceNumber: string };
    const it = JSON.parse(aws('get-shard-iterator', '--stream-name', 'e2e-cli', '--shard-id', put.ShardId, '--shard-iterator-type', 'TRIM_HORIZON')) as { ShardIterator: string };
    const got = JSON.parse(aws('get-records', '--shard-iterator', it.ShardIterator)) as { Records: Array<{ Data: string; SequenceNumber: string }> };
    assert.deepEqual(got.Records.map((r) => Buffer.from(r.Data, 'base64').toString()), ['hello from the cli', 'base64 data']);
    assert.deepEqual(got.Records.map((r) => r.SequenceNumber), [put.SequenceNumber, put64.SequenceNumber]);
  });

  it('works with boto3', () => {
    const python = pythonWithBoto3();
    const script = `
import boto3, json, sys
k = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name='${REGION}', aws_access_key_id='${CREDENTIALS.accessKeyId}', aws_secret_access_key='${CREDENTIALS.secretAccessKey}')
put = k.put_record(StreamName='e2e-h1', PartitionKey='py', Data=b'\\x00\\x01boto3\\xff')
it = k.get_shard_iterator(StreamName='e2e-h1', ShardId=put['ShardId'], ShardIteratorType='AT_SEQUENCE_NUMBER', StartingSequenceNumber=put['SequenceNumber'])['ShardIterator']
recs = k.get_records(ShardIterator=it)['Records']
print(json.dumps({'data': recs[0]['Data'].hex(), 'seq': recs[0]['SequenceNumber'], 'put': put['SequenceNumber']}))
`;
    const out = JSON.parse(execFileSync(python, ['-c', script, cluster.endpoint], { encoding: 'utf8', timeout: 60_000 })) as { data: string; seq: string; put: string };
    assert.equal(out.data, Buffer.from('\x00\x01boto3\xff', 'latin1').toString('hex'));
    assert.equal(out.seq, out.put);
  });

  it('answers invalid input with the Kinesis error and changes nothing', async () => {
    const streamsBefore = (await h1.send(new ListStreamsCommand({}))).StreamNames;
    const expectError = async (name: string, p: Promise<unknown>): Promise<void> => {
      await assert.rejects(p, (err: Error) => { assert.equal(err.name, name); return true; });
    };
    await expectError('ValidationException', h2.send(new CreateStreamCommand({ StreamName: 'bad name!', ShardCount: 1 })));
    await expectError('ValidationException', h2.send(new CreateStreamCommand({ StreamName: 'x'.repeat(129), ShardCount: 1 })));
    await expectError('ValidationException', h2.send(new PutRecordCommand({ StreamName: 'e2e-h2', PartitionKey: '', Data: Buffer.from('x') })));
    await expectError('ValidationException', h2.send(new PutRecordCommand({ StreamName: 'e2e-h2', PartitionKey: 'k'.repeat(257), Data: Buffer.from('x') })));
    await expectError('InvalidArgumentException', h2.send(new PutRecordCommand({ StreamName: 'e2e-h2', PartitionKey: 'k', ExplicitHashKey: (HASH_KEY_MAX + 1n).toString(), Data: Buffer.from('x') })));
    await expectError('ValidationException', h1.send(new PutRecordsCommand({ StreamName: 'e2e-h2', Records: Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: Buffer.from('x') })) })));
    await expectError('ValidationException', h1.send(new PutRecordCommand({ StreamName: 'e2e-h2', PartitionKey: 'k', Data: Buffer.alloc(1024 * 1024 + 1) })));
    await expectError('ResourceNotFoundException', h2.send(new PutRecordCommand({ StreamName: 'e2e-missing', PartitionKey: 'k', Data: Buffer.from('x') })));
    await expectError('ResourceNotFoundException', h2.send(new GetShardIteratorCommand({ StreamName: 'e2e-h2', ShardId: 'shardId-000000000099', ShardIteratorType: 'TRIM_HORIZON' })));
    const real = await h2.send(new GetShardIteratorCommand({ StreamName: 'e2e-h2', ShardId: shards[0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    const forged = Buffer.from(real.ShardIterator!, 'base64');
    forged[forged.length - 1] = forged[forged.length - 1]! ^ 0xff;
    await expectError('InvalidArgumentException', h2.send(new GetRecordsCommand({ ShardIterator: forged.toString('base64') })));
    await expectError('InvalidArgumentException', h2.send(new GetRecordsCommand({ ShardIterator: 'AAAA' + real.ShardIterator!.slice(4, 40) })));
    assert.deepEqual((await h1.send(new ListStreamsCommand({}))).StreamNames, streamsBefore);
    await checkAllRecords();
  });

  it('keeps the data across down and up', async function () {
    this.timeout(180_000);
    cluster.down();
    assert.ok(cluster.status().processes.every((p) => !p.alive));
    cluster.up();
    connect();
    await waitActive(h1, 'e2e-h2');
    await checkAllRecords();
    const res = await h2.send(new PutRecordCommand({ StreamName: 'e2e-h2', PartitionKey: 'after-restart', Data: Buffer.from('again') }));
    written.push({ shardId: res.ShardId!, sequenceNumber: res.SequenceNumber!, partitionKey: 'after-restart', data: Buffer.from('again') });
    await checkAllRecords();
  });

  /** Reads every shard of e2e-h2 and compares with `written`, shard by shard, in sequence number order. */
  async function checkAllRecords(): Promise<void> {
    for (const shard of shards) {
      const expected = written.filter((w) => w.shardId === shard.ShardId)
        .sort((a, b) => (BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber) ? -1 : 1));
      const got: ReadRecord[] = await readShard(h1, 'e2e-h2', shard.ShardId!, expected.length);
      assert.equal(got.length, expected.length, `records in ${shard.ShardId}`);
      got.forEach((r, i) => {
        const w = expected[i]!;
        assert.equal(r.sequenceNumber, w.sequenceNumber);
        assert.equal(r.partitionKey, w.partitionKey);
        assert.ok(r.data.equals(w.data), `data of ${w.sequenceNumber}`);
      });
    }
  }
});

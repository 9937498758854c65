/** Kinesis conformance of CreateStream's optional members, rate-limit wording, page clamps and PutRecords sizes, over fake storage. */
import assert from 'node:assert/strict';
import type { StreamRecord } from '@shoal/metadata';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher } from '../../src/dispatcher';
import { OPERATIONS } from '../../src/operations/index';
import { ClusterView, ScriptedStorage, addStream, enableCommitment, fakeContext, okAppend, parseBody } from '../helpers/fake-context';
import { UNVERIFIED_SIGNATURE } from '../helpers/signature';

const MIB = 1024 * 1024;

function setup(rates: ReadonlyMap<string, number> = new Map()) {
  const view = new ClusterView();
  addStream(view, 's', 2);
  const base = fakeContext(view, new ScriptedStorage(okAppend()));
  const created: StreamRecord[] = [];
  // CreateStream's record is captured; the wait for its own write is skipped (no etcd here).
  const ctx = { ...base, metadata: { ...base.metadata, createStream: async (r: StreamRecord) => { created.push(r); return true; }, waitFor: async () => undefined } };
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(rates));
  const call = async (op: string, body: unknown) => {
    const res = await dispatcher.handle({
      headers: { ...UNVERIFIED_SIGNATURE, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}` },
      body: Buffer.from(JSON.stringify(body)),
    });
    return parseBody(res.body as Buffer);
  };
  return { view, created, call };
}

/** A record of `bytes` bytes of data (partition key 'k'), base64 as the SDKs send it. */
function record(bytes: number): { PartitionKey: string; Data: string } {
  return { PartitionKey: 'k', Data: Buffer.alloc(bytes, 1).toString('base64') };
}

describe('CreateStream optional members', () => {
  it('stores Tags, MaxRecordSizeInKiB and an ON_DEMAND WarmThroughputMiBps on the stream record', async () => {
    const { call, created, view } = setup();
    enableCommitment(view);
    assert.deepEqual(await call('CreateStream', {
      StreamName: 'n', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, Tags: { team: 'a', env: '' }, MaxRecordSizeInKiB: 4096, WarmThroughputMiBps: 20,
    }), {});
    const [r] = created;
    assert.deepEqual(r!.tags, { team: 'a', env: '' });
    assert.equal(r!.maxRecordSizeKiB, 4096);
    assert.equal(r!.warmThroughputMiBps, 20);
    assert.equal(r!.mode, 'ON_DEMAND');
  });

  it('keeps the defaults without them, and 0 warm throughput stores no target', async () => {
    const { call, created } = setup();
    await call('CreateStream', { StreamName: 'p', ShardCount: 1 });
    await call('CreateStream', { StreamName: 'o', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, WarmThroughputMiBps: 0 });
    assert.deepEqual(created.map((r) => [r.tags, r.maxRecordSizeKiB, r.warmThroughputMiBps]), [[{}, 1024, undefined], [{}, 1024, undefined]]);
  });

  it('rejects more than 50 tags and warm throughput on a PROVISIONED stream', async () => {
    const { call, created } = setup();
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const many = await call('CreateStream', { StreamName: 'n', ShardCount: 1, Tags: tags });
    assert.equal(many['__type'], 'InvalidArgumentException');
    assert.match(String(many['message']), /cannot have more than 50 tags/);
    const warm = await call('CreateStream', { StreamName: 'n', ShardCount: 1, WarmThroughputMiBps: 5 });
    assert.equal(warm['__type'], 'InvalidArgumentException');
    assert.equal(created.length, 0);
  });

  it('answers an over-quota ShardCount with LimitExceededException, not ValidationException', async () => {
    const { call } = setup();
    assert.equal((await call('CreateStream', { StreamName: 'n', ShardCount: 200000 }))['__type'], 'LimitExceededException');
  });
});

describe('control-plane rate limit wording', () => {
  it('says "Rate exceeded for stream <name> under account <id>."', async () => {
    const { call } = setup(new Map([['DescribeStreamSummary', 1]]));
    await call('DescribeStreamSummary', { StreamName: 's' });
    const over = await call('DescribeStreamSummary', { StreamName: 's' });
    assert.deepEqual(over, { __type: 'LimitExceededException', message: 'Rate exceeded for stream s under account 000000000000.' });
    const byArn = await call('DescribeStreamSummary', { StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' });
    assert.equal(byArn['message'], 'Rate exceeded for stream s under account 000000000000.');
  });
});

describe('page clamps', () => {
  it('DescribeStream returns at most 100 shards even with Limit 10000', async () => {
    const { call, view } = setup();
    addStream(view, 'big', 150);
    const d = (await call('DescribeStream', { StreamName: 'big', Limit: 10000 }))['StreamDescription'] as { Shards: unknown[]; HasMoreShards: boolean };
    assert.equal(d.Shards.length, 100);
    assert.equal(d.HasMoreShards, true);
  });

  it('ListStreams returns at most 100 names even with Limit 10000', async () => {
    const { call, view } = setup();
    for (let i = 0; i < 120; i++) addStream(view, `t${String(i).padStart(3, '0')}`, 1);
    const l = await call('ListStreams', { Limit: 10000 });
    assert.equal((l['StreamNames'] as string[]).length, 100);
    assert.equal(l['HasMoreStreams'], true);
  });
});

describe('PutRecords sizes', () => {
  it('takes up to 10 MiB per request on a 1 MiB-record stream and rejects more', async () => {
    const { call } = setup();
    const ok = await call('PutRecords', { StreamName: 's', Records: Array.from({ length: 9 }, () => record(MIB - 1)) });
    assert.equal(ok['FailedRecordCount'], 0);
    const over = await call('PutRecords', { StreamName: 's', Records: Array.from({ length: 11 }, () => record(MIB - 1)) });
    assert.equal(over['__type'], 'InvalidArgumentException');
    assert.match(String(over['message']), /^Records size exceeds 10 MB limit/);
  });

  it('names records.1.member.data for a one-record PutRecords and data for PutRecord', async () => {
    const { call } = setup();
    const batch = await call('PutRecords', { StreamName: 's', Records: [record(MIB)] });
    assert.equal(batch['__type'], 'ValidationException');
    assert.match(String(batch['message']), /at 'records\.1\.member\.data' failed/);
    const single = await call('PutRecord', { StreamName: 's', ...record(MIB) });
    assert.match(String(single['message']), /at 'data' failed/);
  });
});

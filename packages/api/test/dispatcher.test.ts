/** The dispatcher end to end over fake storage: JSON in, JSON out, errors as Kinesis renders them. */
import assert from 'node:assert/strict';
import { shardIdFromIndex } from '@shoal/core';
import { ControlRateLimiter } from '../src/control-rate-limiter';
import { Dispatcher } from '../src/dispatcher';
import { OPERATIONS } from '../src/operations/index';
import { ARRIVAL_MS, ClusterView, ScriptedStorage, addStream, fakeContext, okAppend, parseBody } from './helpers/fake-context';
import { UNVERIFIED_SIGNATURE } from './helpers/signature';

function setup(rates: ReadonlyMap<string, number> = new Map()) {
  const view = new ClusterView();
  addStream(view, 's', 2);
  addStream(view, 'other', 1);
  const storage = new ScriptedStorage(okAppend());
  const ctx = fakeContext(view, storage);
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(rates));
  const call = async (op: string, body: unknown, contentType = 'application/x-amz-json-1.1') => {
    const res = await dispatcher.handle({
      headers: { ...UNVERIFIED_SIGNATURE, 'content-type': contentType, 'x-amz-target': `Kinesis_20131202.${op}` },
      body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    });
    return { status: res.status, headers: res.headers, body: parseBody(res.body as Buffer), raw: res.body as Buffer };
  };
  return { view, storage, ctx, call };
}

describe('Dispatcher', () => {
  it('sets request ids and the JSON 1.1 content type', async () => {
    const { call } = setup();
    const r = await call('ListStreams', {}, ' Application/X-Amz-Json-1.1 ; charset=utf-8');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(r.headers['x-amzn-requestid']!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(r.body['StreamNames'], ['other', 's']);
  });

  it('answers unknown operations, bad JSON and bad types', async () => {
    const { call } = setup();
    assert.deepEqual(await call('Nope', {}).then((r) => [r.status, r.body]), [400, { __type: 'UnknownOperationException' }]);
    assert.deepEqual(await call('ListStreams', '{').then((r) => [r.status, r.body]), [400, { __type: 'SerializationException' }]);
    const bad = await call('PutRecord', { StreamName: 's', PartitionKey: 'k', Data: '!!!!' });
    // Kinesis spells the member Message (capital M) in SerializationException only.
    assert.deepEqual(bad.body, { __type: 'SerializationException', Message: "'!!!!' can not be converted to a Blob: Invalid Base64 character: '!'" });
    const v = await call('DescribeStream', {});
    assert.deepEqual(v.body, { __type: 'ValidationException', message: "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null" });
  });

  it('answers an operation without output members with an empty body, as Kinesis documents', async () => {
    const { call } = setup();
    const r = await call('AddTagsToStream', { StreamName: 's', Tags: { a: 'b' } });
    assert.equal(r.status, 200);
    assert.equal(r.raw.length, 0);
  });

  it('applies the control-plane rate limit (LimitExceededException)', async () => {
    const { call } = setup(new Map([['ListStreams', 2]]));
    assert.equal((await call('ListStreams', {})).status, 200);
    assert.equal((await call('ListStreams', {})).status, 200);
    const third = await call('ListStreams', {});
    assert.equal(third.body['__type'], 'LimitExceededException');
  });

  it('puts, gets an iterator and reads records back', async () => {
    const { call, storage } = setup();
    const put = await call('PutRecords', { StreamName: 's', Records: [{ PartitionKey: 'a', Data: 'aGk=' }, { PartitionKey: 'b', Data: '' }] });
    assert.equal(put.body['FailedRecordCount'], 0);
    const [first] = put.body['Records'] as Array<{ ShardId: string; SequenceNumber: string }>;
    assert.equal(first!.ShardId, shardIdFromIndex(0));
    storage.onRead = async (_n, req) => ({
      error: 'OK', error_message: '', high_watermark: 1, log_start_offset: 0, last_arrival_ms: 5,
      records: req.from_offset === 0 ? [{ offset: 0, arrival_ms: ARRIVAL_MS, partition_key: 'a', data: Buffer.from('hi') }] : [],
    });
    const it = await call('GetShardIterator', { StreamName: 's', ShardId: first!.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: first!.SequenceNumber });
    const got = await call('GetRecords', { ShardIterator: it.body['ShardIterator'] });
    assert.deepEqual(got.body['Records'], [{ SequenceNumber: first!.SequenceNumber, ApproximateArrivalTimestamp: ARRIVAL_MS / 1000, Data: 'aGk=', PartitionKey: 'a' }]);
    assert.equal(got.body['MillisBehindLatest'], 0);
    const again = await call('GetRecords', { ShardIterator: got.body['NextShardIterator'] });
    assert.deepEqual(again.body['Records'], []);
  });

  it('refuses a sequence number of another shard or stream', async () => {
    const { call } = setup();
    const put = await call('PutRecord', { StreamName: 's', PartitionKey: 'a', Data: '' });
    const seq = put.body['SequenceNumber'] as string;
    const wrongShard = await call('GetShardIterator', { StreamName: 's', ShardId: shardIdFromIndex(1), ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: seq });
    assert.deepEqual(wrongShard.body, { __type: 'InvalidArgumentException',
      message: 'Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001' });
    const wrongStream = await call('GetShardIterator', { StreamName: 'other', ShardId: shardIdFromIndex(0), ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: seq });
    assert.match(String(wrongStream.body['message']), /did not come from this stream/);
    const missing = await call('GetShardIterator', { StreamName: 's', ShardId: shardIdFromIndex(9), ShardIteratorType: 'TRIM_HORIZON' });
    assert.deepEqual(missing.body, { __type: 'ResourceNotFoundException', message: 'Shard shardId-000000000009 in stream s under account 000000000000 does not exist' });
  });

  it('refuses forged and expired iterators', async () => {
    const { call, ctx } = setup();
    const it = await call('GetShardIterator', { StreamName: 's', ShardId: shardIdFromIndex(0), ShardIteratorType: 'TRIM_HORIZON' });
    const text = it.body['ShardIterator'] as string;
    const forged = (text[10] === 'A' ? 'B' : 'A');
    const tampered = text.slice(0, 10) + forged + text.slice(11);
    assert.deepEqual((await call('GetRecords', { ShardIterator: tampered })).body, { __type: 'InvalidArgumentException', message: 'Invalid ShardIterator.' });
    ctx.setNow(ctx.now() + 5 * 60 * 1000 + 1);
    const expired = await call('GetRecords', { ShardIterator: text });
    assert.equal(expired.body['__type'], 'ExpiredIteratorException');
  });

  it('pages ListShards with a NextToken that may not be combined with StreamName', async () => {
    const { call } = setup();
    const page1 = await call('ListShards', { StreamName: 's', MaxResults: 1 });
    assert.deepEqual((page1.body['Shards'] as Array<{ ShardId: string }>).map((s) => s.ShardId), [shardIdFromIndex(0)]);
    const token = page1.body['NextToken'] as string;
    const page2 = await call('ListShards', { NextToken: token });
    assert.deepEqual((page2.body['Shards'] as Array<{ ShardId: string }>).map((s) => s.ShardId), [shardIdFromIndex(1)]);
    assert.equal(page2.body['NextToken'], undefined);
    const both = await call('ListShards', { NextToken: token, StreamName: 's' });
    assert.deepEqual(both.body, { __type: 'InvalidArgumentException', message: 'NextToken and StreamName cannot be provided together.' });
    const after = await call('ListShards', { StreamName: 's', ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: shardIdFromIndex(0) } });
    assert.equal((after.body['Shards'] as unknown[]).length, 1);
  });
});

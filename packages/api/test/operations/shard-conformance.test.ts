/** ListShards filters and argument checks, and Kinesis' shard id normalisation, over the dispatcher and fake storage. */
import assert from 'node:assert/strict';
import { shardIdFromIndex } from '@shoal/core';
import type { ShardRecord } from '@shoal/metadata';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher } from '../../src/dispatcher';
import { OPERATIONS } from '../../src/operations/index';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, fakeContext, okAppend } from '../helpers/fake-context';
import { UNVERIFIED_SIGNATURE } from '../helpers/signature';

const CLOSED_MS = 1_500_000;

/** Stream `s` (2 shards, created at 1_000_000) whose shard 0 was split at CLOSED_MS into shards 2 and 3; now = 2_000_000. */
function setup() {
  const view = new ClusterView();
  addStream(view, 's', 2);
  const shards = view.shards.get('id-s')!;
  const parent = shards.get(shardIdFromIndex(0))!.value;
  shards.set(parent.shardId, { modRevision: '2', value: { ...parent, endingSequenceNumber: parent.startingSequenceNumber, closedMs: CLOSED_MS } });
  for (const i of [2, 3]) {
    const child: ShardRecord = { ...parent, shardId: shardIdFromIndex(i), shardIndex: i, parentShardId: parent.shardId, createdMs: CLOSED_MS };
    shards.set(child.shardId, { modRevision: '2', value: child });
  }
  const storage = new ScriptedStorage(okAppend());
  const ctx = fakeContext(view, storage);
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(new Map()));
  const call = async (op: string, body: unknown) => {
    const res = await dispatcher.handle({
      headers: { ...UNVERIFIED_SIGNATURE, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}` },
      body: Buffer.from(JSON.stringify(body)),
    });
    return { status: res.status, body: JSON.parse(res.body.toString()) as Record<string, unknown> };
  };
  const ids = async (body: unknown): Promise<number[]> => {
    const r = await call('ListShards', body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return (r.body['Shards'] as Array<{ ShardId: string }>).map((s) => Number(s.ShardId.slice('shardId-'.length)));
  };
  return { view, ctx, storage, call, ids };
}

describe('ListShards ShardFilter', () => {
  it('AT_TIMESTAMP: started by T and open or closed at/after T', async () => {
    const { ids } = setup();
    const at = async (ms: number) => ids({ StreamName: 's', ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: ms / 1000 } });
    assert.deepEqual(await at(1_200_000), [0, 1]);
    assert.deepEqual(await at(CLOSED_MS), [0, 1, 2, 3]);
    assert.deepEqual(await at(1_600_000), [1, 2, 3]);
    assert.deepEqual(await at(500_000), [0, 1], 'before the stream: its first shards');
  });

  it('FROM_TIMESTAMP: open shards and those closed at/after T; TRIM_HORIZON and LATEST filters', async () => {
    const { ids } = setup();
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: 1_600 } }), [1, 2, 3]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: 1_200 } }), [0, 1, 2, 3]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'AT_TRIM_HORIZON' } }), [0, 1]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'FROM_TRIM_HORIZON' } }), [0, 1, 2, 3]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'AT_LATEST' } }), [1, 2, 3]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: 'shardId-1' } }), [2, 3]);
  });
});

describe('expired shards', () => {
  const RETENTION_MS = 24 * 3_600_000;

  it('are not listed by ListShards (with or without a filter) or DescribeStream once they closed a retention period ago', async () => {
    const { ctx, call, ids } = setup();
    const described = async () => ((await call('DescribeStream', { StreamName: 's' })).body['StreamDescription'] as { Shards: Array<{ ShardId: string }> })
      .Shards.map((s) => Number(s.ShardId.slice('shardId-'.length)));
    ctx.setNow(CLOSED_MS + RETENTION_MS);
    assert.deepEqual(await ids({ StreamName: 's' }), [0, 1, 2, 3], 'closed exactly a retention period ago: its last records are retained');
    assert.deepEqual(await described(), [0, 1, 2, 3]);
    ctx.setNow(CLOSED_MS + RETENTION_MS + 1);
    assert.deepEqual(await ids({ StreamName: 's' }), [1, 2, 3]);
    assert.deepEqual(await described(), [1, 2, 3]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: 1_200 } }), [1]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'FROM_TRIM_HORIZON' } }), [1, 2, 3]);
    assert.deepEqual(await ids({ StreamName: 's', ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: 'shardId-000000000000' } }), [1, 2, 3]);
  });

  it('cannot be read: GetShardIterator answers that the shard does not exist', async () => {
    const { ctx, call } = setup();
    const iterator = async () => call('GetShardIterator', { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
    ctx.setNow(CLOSED_MS + RETENTION_MS);
    assert.equal((await iterator()).status, 200);
    ctx.setNow(CLOSED_MS + RETENTION_MS + 1);
    assert.deepEqual((await iterator()).body,
      { __type: 'ResourceNotFoundException', message: 'Shard shardId-000000000000 in stream s under account 000000000000 does not exist' });
  });

  it('cannot be read with an iterator issued before it expired: GetRecords answers that the shard does not exist', async () => {
    const { ctx, storage, call } = setup();
    storage.onRead = async () => ({ error: 'OK', error_message: '', high_watermark: 0, log_start_offset: 0, last_arrival_ms: 0, records: [] });
    ctx.setNow(CLOSED_MS + RETENTION_MS - 1_000);
    const issued = await call('GetShardIterator', { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
    assert.equal(issued.status, 200);
    const shardIterator = issued.body['ShardIterator'];
    assert.equal((await call('GetRecords', { ShardIterator: shardIterator })).status, 200, 'still within the retention period');
    ctx.setNow(CLOSED_MS + RETENTION_MS + 1);
    assert.deepEqual((await call('GetRecords', { ShardIterator: shardIterator })).body,
      { __type: 'ResourceNotFoundException', message: 'Shard shardId-000000000000 in stream s under account 000000000000 does not exist' });
  });
});

describe('ListShards arguments', () => {
  it('rejects ExclusiveStartShardId, ShardFilter or StreamCreationTimestamp with a NextToken', async () => {
    const { call } = setup();
    const first = await call('ListShards', { StreamName: 's', MaxResults: 1 });
    const token = first.body['NextToken'];
    assert.equal(typeof token, 'string');
    for (const extra of [{ ExclusiveStartShardId: 'shardId-000000000000' }, { ShardFilter: { Type: 'AT_LATEST' } }, { StreamCreationTimestamp: 1_000 }]) {
      const r = await call('ListShards', { NextToken: token, ...extra });
      assert.equal(r.body['__type'], 'InvalidArgumentException', JSON.stringify(extra));
    }
    assert.equal((await call('ListShards', { NextToken: token })).status, 200);
  });

  it('answers ResourceInUseException for a stream that is not ACTIVE or UPDATING', async () => {
    const { view, call } = setup();
    const s = view.streams.get(`${ACCOUNT}/us-east-1/s`)!;
    view.setStream(`${ACCOUNT}/us-east-1/s`, { ...s, value: { ...s.value, status: 'CREATING' } });
    const r = await call('ListShards', { StreamName: 's' });
    assert.equal(r.body['__type'], 'ResourceInUseException');
  });

  it('returns at most 1000 shards a page even when MaxResults is higher', async () => {
    const { view, call } = setup();
    addStream(view, 'big', 1001);
    const r = await call('ListShards', { StreamName: 'big', MaxResults: 5000 });
    assert.equal((r.body['Shards'] as unknown[]).length, 1000);
    assert.equal(typeof r.body['NextToken'], 'string');
  });

  it('normalises ExclusiveStartShardId; an unparseable one is not found', async () => {
    const { call, ids } = setup();
    assert.deepEqual(await ids({ StreamName: 's', ExclusiveStartShardId: '0' }), [1, 2, 3]);
    assert.deepEqual(await ids({ StreamName: 's', ExclusiveStartShardId: 'shardId-2' }), [3]);
    const r = await call('ListShards', { StreamName: 's', ExclusiveStartShardId: 'nope' });
    assert.deepEqual(r.body, { __type: 'ResourceNotFoundException', message: 'Could not find shard nope in stream s under account 000000000000.' });
  });
});

describe('shard id normalisation in other operations', () => {
  it('GetShardIterator: normalised ids, Kinesis messages for bad ids and unknown streams', async () => {
    const { call } = setup();
    assert.equal((await call('GetShardIterator', { StreamName: 's', ShardId: '1', ShardIteratorType: 'TRIM_HORIZON' })).status, 200);
    assert.equal((await call('GetShardIterator', { StreamName: 's', ShardId: 'a-0003', ShardIteratorType: 'TRIM_HORIZON' })).status, 200);
    assert.deepEqual((await call('GetShardIterator', { StreamName: 's', ShardId: 'bad', ShardIteratorType: 'TRIM_HORIZON' })).body,
      { __type: 'ResourceNotFoundException', message: 'Could not find shard bad in stream s under account 000000000000.' });
    assert.deepEqual((await call('GetShardIterator', { StreamName: 'nope', ShardId: 'shardId-1', ShardIteratorType: 'TRIM_HORIZON' })).body,
      { __type: 'ResourceNotFoundException', message: 'Shard shardId-000000000001 in stream nope under account 000000000000 does not exist' });
  });

  it('DescribeStream ExclusiveStartShardId, SplitShard and MergeShards shard arguments', async () => {
    const { call } = setup();
    const d = await call('DescribeStream', { StreamName: 's', ExclusiveStartShardId: 'shardId-0' });
    const described = (d.body['StreamDescription'] as { Shards: Array<{ ShardId: string }> }).Shards.map((s) => s.ShardId);
    assert.deepEqual(described, [1, 2, 3].map(shardIdFromIndex));
    // Both name shard 1: the normalised ids reach the adjacency check (not "could not find shard").
    const m = await call('MergeShards', { StreamName: 's', ShardToMerge: '1', AdjacentShardToMerge: 'shardId-000000000001' });
    assert.equal(m.body['__type'], 'InvalidArgumentException');
    assert.match(String(m.body['message']), /^Shards shardId-000000000001 and shardId-000000000001 /);
    const sp = await call('SplitShard', { StreamName: 's', ShardToSplit: 'shardId-0', NewStartingHashKey: '1' });
    assert.equal(sp.body['__type'], 'InvalidArgumentException');
    assert.match(String(sp.body['message']), /^Shard shardId-000000000000 .* has already been merged or split/);
  });
});

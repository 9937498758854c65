/** UpdateStreamRecordDistributionStrategy: preconditions, even placement over the open shards, and records without a partition key. */
import assert from 'node:assert/strict';
import type { StreamRecord } from '@shoal/metadata';
import type { ShardRecords } from '@shoal/wire';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, jsonCaller, liveContext, okAppend } from '../helpers/fake-context';

const ARN = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/od`;

function setup() {
  const view = new ClusterView();
  const od = addStream(view, 'od', 4);
  view.setStream(`${ACCOUNT}/us-east-1/od`, { value: { ...od, mode: 'ON_DEMAND' }, modRevision: '1' });
  addStream(view, 'prov', 2);
  const appended = new Map<string, number>();
  const ok = okAppend();
  const storage = new ScriptedStorage(async (n, req: ShardRecords) => {
    appended.set(req.shard!.shard_id!, (appended.get(req.shard!.shard_id!) ?? 0) + (req.record_count ?? 0));
    return ok(n, req);
  });
  const call = jsonCaller(liveContext(view, storage));
  const stream = (name: string): StreamRecord => view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: name })!.value;
  return { view, call, appended, stream, storage };
}

describe('record distribution strategy', () => {
  it('is only for ON_DEMAND streams, by StreamARN; the stream shows it', async () => {
    const { call, stream } = setup();
    assert.equal((await call('UpdateStreamRecordDistributionStrategy', { StreamARN: ARN, RecordDistributionStrategy: 'AUTO' })).status, 200);
    assert.equal(stream('od').recordDistributionStrategy, 'AUTO');
    const summary = (await call('DescribeStreamSummary', { StreamName: 'od' })).body['StreamDescriptionSummary'] as Record<string, unknown>;
    assert.equal(summary['RecordDistributionStrategy'], 'AUTO');
    const prov = await call('UpdateStreamRecordDistributionStrategy', { StreamARN: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/prov`, RecordDistributionStrategy: 'AUTO' });
    assert.equal(prov.body['__type'], 'InvalidArgumentException');
    assert.equal(stream('prov').recordDistributionStrategy, undefined);
    assert.equal((await call('UpdateStreamRecordDistributionStrategy', { StreamName: 'od', RecordDistributionStrategy: 'AUTO' })).body['message'],
      "1 validation error detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null");
    assert.equal((await call('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'PROVISIONED' } })).body['__type'], 'InvalidArgumentException');
    assert.equal(stream('od').mode, 'ON_DEMAND');
    assert.equal((await call('CreateStream', { StreamName: 'p2', ShardCount: 1, RecordDistributionStrategy: 'AUTO' })).body['__type'], 'InvalidArgumentException');
  });

  it('with AUTO spreads records evenly over the open shards whatever their keys, and takes records without a key', async () => {
    const { call, appended, storage } = setup();
    await call('UpdateStreamRecordDistributionStrategy', { StreamARN: ARN, RecordDistributionStrategy: 'AUTO' });
    const records = Array.from({ length: 398 }, (_, i) => ({ ...(i % 2 === 0 ? { PartitionKey: 'same' } : {}), ExplicitHashKey: '0', Data: 'AA==' }));
    const put = await call('PutRecords', { StreamName: 'od', Records: records });
    assert.equal(put.body['FailedRecordCount'], 0);
    const one = await call('PutRecord', { StreamARN: ARN, Data: 'AA==' });
    assert.equal(one.status, 200, JSON.stringify(one.body));
    await call('PutRecord', { StreamARN: ARN, Data: 'AA==' });
    assert.deepEqual([...appended.values()].sort(), [100, 100, 100, 100]);
    // Stored with an empty key (the record format's "no partition key").
    const keyless = storage.appends.at(-1)!.request.records_body as Buffer;
    assert.equal(keyless.readUInt16BE(8), 0);
    assert.equal((await call('PutRecord', { StreamARN: ARN, Data: 'AA==', SequenceNumberForOrdering: '1' })).body['__type'], 'InvalidArgumentException');
  });

  it('with USER_PARTITION_KEY (and on PROVISIONED streams) still requires the key', async () => {
    const { call } = setup();
    assert.equal((await call('PutRecord', { StreamName: 'od', Data: 'AA==' })).body['message'],
      "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null");
    assert.equal((await call('PutRecords', { StreamName: 'prov', Records: [{ Data: 'AA==' }] })).body['message'],
      "1 validation error detected: Value null at 'records.1.member.partitionKey' failed to satisfy constraint: Member must not be null");
  });

  it('reads a record written without a key back without PartitionKey', async () => {
    const { call, storage } = setup();
    await call('UpdateStreamRecordDistributionStrategy', { StreamARN: ARN, RecordDistributionStrategy: 'AUTO' });
    storage.onRead = async () => ({
      error: 'OK', error_message: '', high_watermark: 2, log_start_offset: 0, last_arrival_ms: 0,
      records: [{ offset: 0, arrival_ms: 2_000_000, partition_key: '', data: Buffer.from('x') }, { offset: 1, arrival_ms: 2_000_000, partition_key: 'k', data: Buffer.from('y') }],
    });
    const it = await call('GetShardIterator', { StreamName: 'od', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
    const records = (await call('GetRecords', { ShardIterator: it.body['ShardIterator'] })).body['Records'] as Array<Record<string, unknown>>;
    assert.deepEqual(records.map((r) => Object.keys(r).sort()), [['ApproximateArrivalTimestamp', 'Data', 'SequenceNumber'], ['ApproximateArrivalTimestamp', 'Data', 'PartitionKey', 'SequenceNumber']]);
  });
});

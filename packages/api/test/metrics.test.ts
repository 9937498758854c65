import assert from 'node:assert/strict';
import { SHARD_LEVEL_METRICS } from '@shoal/core';
import { ClusterView, type StreamRecord } from '@shoal/metadata';
import { METRICS, METRIC_TABLE, type MetricDef } from '@shoal/wire';
import { ApiMetrics, RequestMeter } from '../src/metrics';
import { MeteredStreams, type MeteredStream } from '../src/metered-streams';

const ORDERS: MeteredStream = { streamId: 'id-orders', accountId: '111111111111', region: 'eu-west-1', streamName: 'orders' };
const ORDERS_LABELS = { account: '111111111111', region: 'eu-west-1', stream: 'orders' };

/** Value of the series of `def` with exactly these labels (undefined: no such series). */
async function value(metrics: ApiMetrics, def: MetricDef, labels: Record<string, string>, suffix = ''): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(def.name);
  assert.ok(metric, `${def.name} registered`);
  const got = await metric.get();
  const name = def.name + suffix;
  const hit = got.values.find((v) => ((v as { metricName?: string }).metricName ?? def.name) === name && JSON.stringify(Object.entries(v.labels).filter(([k]) => k !== 'le').sort())
    === JSON.stringify(Object.entries(labels).sort()));
  return hit?.value;
}

function viewWith(...records: MeteredStream[]): ClusterView {
  const view = new ClusterView();
  for (const r of records) view.setStream(`${r.accountId}/${r.region}/${r.streamName}`, { value: r as unknown as StreamRecord, modRevision: '1' });
  return view;
}

describe('api metrics (CloudWatch names from the table)', () => {
  it('has a shard-level metric for every metric EnableEnhancedMonitoring can turn on, and no other', () => {
    const turnedOn = new Set(METRIC_TABLE.flatMap((m) => (m.shardLevelMetric ? [m.shardLevelMetric] : [])));
    assert.deepEqual([...turnedOn].sort(), SHARD_LEVEL_METRICS.filter((m) => m !== 'ALL').sort());
  });

  it('labels stream metrics by account, region and stream; a stream\'s series start at 0', async () => {
    const metrics = new ApiMetrics(['PutRecords']);
    metrics.recordWrite(ORDERS, 'PutRecords', [{ shardId: 'shardId-000000000000', records: 3, bytes: 30, throttled: 1 }]);
    assert.equal(await value(metrics, METRICS.incomingRecords, ORDERS_LABELS), 3);
    assert.equal(await value(metrics, METRICS.incomingBytes, ORDERS_LABELS), 30);
    assert.equal(await value(metrics, METRICS.putRecordsBytes, ORDERS_LABELS), 30);
    assert.equal(await value(metrics, METRICS.putRecordBytes, ORDERS_LABELS), 0);
    assert.equal(await value(metrics, METRICS.writeProvisionedThroughputExceeded, ORDERS_LABELS), 1);
    assert.equal(await value(metrics, METRICS.getRecordsLatency, ORDERS_LABELS, '_count'), 0);
    // No enhanced monitoring: no shard series.
    assert.equal(await value(metrics, METRICS.shardIncomingBytes, { ...ORDERS_LABELS, shard: 'shardId-000000000000' }), undefined);
  });

  it('sums the shards one request reached into the stream\'s series, and keeps each shard\'s own', async () => {
    const metrics = new ApiMetrics([]);
    const monitored = { ...ORDERS, shardLevelMetrics: ['IncomingRecords', 'WriteProvisionedThroughputExceeded'] };
    metrics.recordWrite(monitored, 'PutRecords', [
      { shardId: 'shardId-000000000000', records: 3, bytes: 30, throttled: 0 },
      { shardId: 'shardId-000000000001', records: 4, bytes: 44, throttled: 2 },
    ]);
    assert.equal(await value(metrics, METRICS.incomingRecords, ORDERS_LABELS), 7);
    assert.equal(await value(metrics, METRICS.putRecordsBytes, ORDERS_LABELS), 74);
    assert.equal(await value(metrics, METRICS.writeProvisionedThroughputExceeded, ORDERS_LABELS), 2);
    assert.equal(await value(metrics, METRICS.shardIncomingRecords, { ...ORDERS_LABELS, shard: 'shardId-000000000000' }), 3);
    assert.equal(await value(metrics, METRICS.shardIncomingRecords, { ...ORDERS_LABELS, shard: 'shardId-000000000001' }), 4);
    assert.equal(await value(metrics, METRICS.shardWriteProvisionedThroughputExceeded, { ...ORDERS_LABELS, shard: 'shardId-000000000001' }), 2);
  });

  it('times requests per operation and, once the operation names its stream, per stream (Latency, Success, RateExceeded)', async () => {
    const metrics = new ApiMetrics(['PutRecord', 'SubscribeToShard', 'ListStreams']);
    const meter = new RequestMeter();
    meter.record(ORDERS);
    metrics.observeRequest('PutRecord', 0.003, undefined, meter);
    metrics.observeRequest('PutRecord', 0.004, 'ProvisionedThroughputExceededException', meter);
    metrics.observeRequest('ListStreams', 0.001, 'SerializationException');
    assert.equal(await value(metrics, METRICS.putRecordLatency, ORDERS_LABELS, '_count'), 2);
    assert.equal(await value(metrics, METRICS.putRecordSuccess, ORDERS_LABELS), 1);
    assert.equal(await value(metrics, METRICS.apiRequestDuration, { operation: 'PutRecord' }, '_count'), 2);
    assert.equal(await value(metrics, METRICS.apiRequestDuration, { operation: 'SubscribeToShard' }, '_count'), 0);
    assert.equal(await value(metrics, METRICS.apiErrors, { operation: 'ListStreams', type: 'SerializationException' }), 1);
    const subscribe = new RequestMeter();
    subscribe.record(ORDERS, 'app-1');
    metrics.observeRequest('SubscribeToShard', 0.01, undefined, subscribe);
    metrics.observeRequest('SubscribeToShard', 0.01, 'ResourceInUseException', subscribe);
    metrics.observeRequest('SubscribeToShard', 0.01, 'ResourceNotFoundException', subscribe);
    const consumer = { ...ORDERS_LABELS, consumer: 'app-1' };
    assert.equal(await value(metrics, METRICS.subscribeToShardSuccess, consumer), 1);
    assert.equal(await value(metrics, METRICS.subscribeToShardRateExceeded, consumer), 1);
  });

  it('exports shard series only for the metrics the stream turned on, and drops them when turned off', async () => {
    const metrics = new ApiMetrics([]);
    const monitored = { ...ORDERS, shardLevelMetrics: ['IncomingBytes', 'IteratorAgeMilliseconds'] };
    const shard = { ...ORDERS_LABELS, shard: 'shardId-000000000001' };
    metrics.recordWrite(monitored, 'PutRecord', [{ shardId: 'shardId-000000000001', records: 2, bytes: 20, throttled: 0 }]);
    metrics.recordRead(monitored, 'shardId-000000000001', { records: 2, bytes: 18 }, 1_500);
    assert.equal(await value(metrics, METRICS.shardIncomingBytes, shard), 20);
    assert.equal(await value(metrics, METRICS.shardIncomingRecords, shard), undefined, 'IncomingRecords is off');
    assert.equal(await value(metrics, METRICS.shardOutgoingBytes, shard), undefined, 'OutgoingBytes is off');
    assert.equal(await value(metrics, METRICS.shardIteratorAge, shard, '_sum'), 1.5);
    assert.equal(await value(metrics, METRICS.getRecordsIteratorAge, ORDERS_LABELS, '_sum'), 1.5);
    metrics.onStreamChange(viewWith({ ...monitored, shardLevelMetrics: ['IteratorAgeMilliseconds'] }));
    assert.equal(await value(metrics, METRICS.shardIncomingBytes, shard), undefined);
    assert.equal(await value(metrics, METRICS.shardIteratorAge, shard, '_sum'), 1.5);
    assert.equal(await value(metrics, METRICS.incomingBytes, ORDERS_LABELS), 20, 'stream series stay');
  });

  it('drops every series of a deleted stream', async () => {
    const metrics = new ApiMetrics([]);
    metrics.recordSubscribeEvent({ ...ORDERS, shardLevelMetrics: ['OutgoingRecords'] }, 'app-1', 'shardId-000000000000', { records: 4, bytes: 40 }, 250);
    const consumer = { ...ORDERS_LABELS, consumer: 'app-1' };
    assert.equal(await value(metrics, METRICS.subscribeToShardEventRecords, consumer), 4);
    assert.equal(await value(metrics, METRICS.subscribeToShardEventBehindLatest, consumer, '_sum'), 0.25);
    assert.equal(await value(metrics, METRICS.shardOutgoingRecords, { ...ORDERS_LABELS, shard: 'shardId-000000000000' }), 4);
    metrics.onStreamChange(viewWith());
    assert.equal(await value(metrics, METRICS.subscribeToShardEventRecords, consumer), undefined);
    assert.equal(await value(metrics, METRICS.shardOutgoingRecords, { ...ORDERS_LABELS, shard: 'shardId-000000000000' }), undefined);
    assert.equal(await value(metrics, METRICS.incomingBytes, ORDERS_LABELS), undefined);
  });

  it('labels at most its most streams and shards; later ones count under _other', async () => {
    const metrics = new ApiMetrics([], new MeteredStreams(2, 1));
    const other = { account: '_other', region: '_other', stream: '_other' };
    const streams = ['a', 'b', 'c'].map((n) => ({ ...ORDERS, streamId: `id-${n}`, streamName: n, shardLevelMetrics: ['IncomingRecords'] }));
    for (const s of streams) metrics.recordWrite(s, 'PutRecord', [{ shardId: 'shardId-000000000000', records: 1, bytes: 1, throttled: 0 }]);
    metrics.recordWrite(streams[0]!, 'PutRecord', [{ shardId: 'shardId-000000000001', records: 5, bytes: 5, throttled: 0 }]);
    assert.equal(await value(metrics, METRICS.incomingRecords, { ...ORDERS_LABELS, stream: 'b' }), 1);
    assert.equal(await value(metrics, METRICS.incomingRecords, other), 1);
    assert.equal(await value(metrics, METRICS.apiMetricStreamsFolded, {}), 1);
    assert.equal(await value(metrics, METRICS.shardIncomingRecords, { ...ORDERS_LABELS, stream: 'a', shard: 'shardId-000000000000' }), 1);
    assert.equal(await value(metrics, METRICS.shardIncomingRecords, { ...ORDERS_LABELS, stream: 'a', shard: '_other' }), 5);
  });
});

/**
 * The api's Prometheus metrics: every Kinesis (CloudWatch-named) metric of
 * the cluster, labelled by account, region and stream, shard-level ones
 * only for the metrics a stream turned on with EnableEnhancedMonitoring,
 * plus the api's internals. Names, labels and buckets come from the one
 * table (@shoal/wire METRICS); label values are bounded by MeteredStreams.
 *
 * The dispatcher times every request (observeRequest); the operation tells
 * it which stream (and consumer) the request was for through its
 * RequestMeter, so PutRecord, PutRecords, GetRecords and SubscribeToShard
 * get their per-stream Latency / Success / RateExceeded. The write, read
 * and fan-out paths report their counts (recordWrite, recordRead, ...).
 */
import type { Counter, Histogram } from 'prom-client';
import type { ClusterView } from '@shoal/metadata';
import { METRICS, counterOf, gaugeOf, histogramOf, processRegistry, type MetricDef, type ShardLevelMetric } from '@shoal/wire';
import { MeteredStreams, type MeteredStream } from './metered-streams';

/** Which stream (and consumer) one request was for; set by the operation, read by the dispatcher. */
export class RequestMeter {
  stream: MeteredStream | undefined;
  consumerName: string | undefined;

  /** The request is for `stream` (and, for SubscribeToShard, `consumerName`). */
  record(stream: MeteredStream, consumerName?: string): void {
    this.stream = stream;
    this.consumerName = consumerName;
  }
}

/** A write's outcome at one shard. */
export interface WriteCounts {
  readonly records: number;
  /** Data + partition key bytes of the records written. */
  readonly bytes: number;
  /** Records refused by the shard write limits. */
  readonly throttled: number;
}

/** A write's outcome at one shard, named. */
export interface ShardWriteCounts extends WriteCounts {
  readonly shardId: string;
}

/** A read's outcome at one shard (GetRecords or one SubscribeToShard event). */
export interface ReadCounts {
  readonly records: number;
  /** Data bytes returned. */
  readonly bytes: number;
}

/** PutRecords' per-record outcome. */
export interface PutRecordsCounts {
  readonly total: number;
  readonly successful: number;
  readonly throttled: number;
  readonly failed: number;
}

type ShardCounterId = 'shardIncomingBytes' | 'shardIncomingRecords' | 'shardOutgoingBytes' | 'shardOutgoingRecords'
  | 'shardReadProvisionedThroughputExceeded' | 'shardWriteProvisionedThroughputExceeded';

const STREAM_COUNTERS = [
  'incomingBytes', 'incomingRecords', 'putRecordBytes', 'putRecordSuccess', 'putRecordsBytes', 'putRecordsSuccess', 'putRecordsSuccessfulRecords',
  'putRecordsFailedRecords', 'putRecordsThrottledRecords', 'putRecordsTotalRecords', 'getRecordsBytes', 'getRecordsRecords', 'getRecordsSuccess',
  'readProvisionedThroughputExceeded', 'writeProvisionedThroughputExceeded',
] as const;
const STREAM_HISTOGRAMS = ['putRecordLatency', 'putRecordsLatency', 'getRecordsLatency', 'getRecordsIteratorAge'] as const;
const CONSUMER_COUNTERS = [
  'subscribeToShardSuccess', 'subscribeToShardRateExceeded', 'subscribeToShardEventBytes', 'subscribeToShardEventRecords', 'subscribeToShardEventSuccess',
] as const;
const SHARD_COUNTERS: readonly ShardCounterId[] = [
  'shardIncomingBytes', 'shardIncomingRecords', 'shardOutgoingBytes', 'shardOutgoingRecords', 'shardReadProvisionedThroughputExceeded', 'shardWriteProvisionedThroughputExceeded',
];
/** SubscribeToShard answers CloudWatch counts as RateExceeded. */
const SUBSCRIBE_RATE_ERRORS = new Set(['LimitExceededException', 'ResourceInUseException']);

type StreamCounterId = (typeof STREAM_COUNTERS)[number];
type StreamHistogramId = (typeof STREAM_HISTOGRAMS)[number];
type ConsumerCounterId = (typeof CONSUMER_COUNTERS)[number];

function enabled(stream: MeteredStream, def: MetricDef): boolean {
  const metric: ShardLevelMetric | undefined = def.shardLevelMetric;
  return metric !== undefined && (stream.shardLevelMetrics ?? []).includes(metric);
}

function byId<K extends string, V>(ids: readonly K[], make: (id: K) => V): Record<K, V> {
  return Object.fromEntries(ids.map((id) => [id, make(id)])) as Record<K, V>;
}

export class ApiMetrics {
  readonly registry = processRegistry();
  private readonly streams: MeteredStreams;
  private readonly counters: Record<StreamCounterId, Counter>;
  private readonly histograms: Record<StreamHistogramId, Histogram>;
  private readonly consumerCounters: Record<ConsumerCounterId, Counter>;
  private readonly behindLatest = histogramOf(METRICS.subscribeToShardEventBehindLatest, this.registry);
  private readonly shardCounters: Record<ShardCounterId, Counter>;
  private readonly shardIteratorAge = histogramOf(METRICS.shardIteratorAge, this.registry);
  private readonly requestDuration = histogramOf(METRICS.apiRequestDuration, this.registry);
  private readonly errors = counterOf(METRICS.apiErrors, this.registry);
  private readonly appendRetryCount = counterOf(METRICS.apiAppendRetries, this.registry);
  private readonly subscriptionsGauge = gaugeOf(METRICS.apiSubscriptionsOpen, this.registry);
  private readonly feedsGauge = gaugeOf(METRICS.apiSubscribeFeedsOpen, this.registry);
  private readonly upstreamRestarts = counterOf(METRICS.apiSubscribeUpstreamRestarts, this.registry);
  private readonly folded = counterOf(METRICS.apiMetricStreamsFolded, this.registry);
  readonly etcdRequests = histogramOf(METRICS.etcdRequestDuration, this.registry);

  constructor(operationNames: readonly string[], streams = new MeteredStreams()) {
    this.streams = streams;
    this.counters = byId(STREAM_COUNTERS, (id) => counterOf(METRICS[id], this.registry));
    this.histograms = byId(STREAM_HISTOGRAMS, (id) => histogramOf(METRICS[id], this.registry));
    this.consumerCounters = byId(CONSUMER_COUNTERS, (id) => counterOf(METRICS[id], this.registry));
    this.shardCounters = byId(SHARD_COUNTERS, (id) => counterOf(METRICS[id], this.registry));
    // Every operation's request series exist from the start (rates read 0, not nothing).
    for (const operation of operationNames) this.requestDuration.zero({ operation });
  }

  /** One finished request of a known operation, with the stream its operation named (if it got that far). */
  observeRequest(operation: string, seconds: number, errorType: string | undefined, meter?: RequestMeter): void {
    this.requestDuration.observe({ operation }, seconds);
    if (errorType !== undefined) this.errors.inc({ operation, type: errorType });
    const stream = meter?.stream;
    if (!stream) return;
    const labels = this.streamLabels(stream);
    const ok = errorType === undefined;
    switch (operation) {
      case 'PutRecord':
        this.histograms.putRecordLatency.observe(labels, seconds);
        if (ok) this.counters.putRecordSuccess.inc(labels);
        break;
      case 'PutRecords':
        // PutRecords.Success counts requests with a successful record (recordPutRecords).
        this.histograms.putRecordsLatency.observe(labels, seconds);
        break;
      case 'GetRecords':
        this.histograms.getRecordsLatency.observe(labels, seconds);
        if (ok) this.counters.getRecordsSuccess.inc(labels);
        break;
      case 'SubscribeToShard': {
        if (meter.consumerName === undefined) break;
        const consumer = this.consumerLabels(stream, meter.consumerName);
        if (ok) this.consumerCounters.subscribeToShardSuccess.inc(consumer);
        else if (SUBSCRIBE_RATE_ERRORS.has(errorType)) this.consumerCounters.subscribeToShardRateExceeded.inc(consumer);
        break;
      }
      default:
        break;
    }
  }

  /**
   * Records written to (and refused by) the shards one PutRecord or
   * PutRecords reached: the stream's series once per call (a request
   * spread over 128 shards is one update of each, not 128), each shard's
   * only if the stream turned them on.
   */
  recordWrite(stream: MeteredStream, operation: 'PutRecord' | 'PutRecords', shards: readonly ShardWriteCounts[]): void {
    if (shards.length === 0) return;
    let records = 0;
    let bytes = 0;
    let throttled = 0;
    for (const c of shards) { records += c.records; bytes += c.bytes; throttled += c.throttled; }
    const labels = this.streamLabels(stream);
    this.counters.incomingRecords.inc(labels, records);
    this.counters.incomingBytes.inc(labels, bytes);
    this.counters[operation === 'PutRecord' ? 'putRecordBytes' : 'putRecordsBytes'].inc(labels, bytes);
    if (throttled > 0) this.counters.writeProvisionedThroughputExceeded.inc(labels, throttled);
    for (const c of shards) {
      this.shardCount(stream, c.shardId, 'shardIncomingRecords', c.records);
      this.shardCount(stream, c.shardId, 'shardIncomingBytes', c.bytes);
      this.shardCount(stream, c.shardId, 'shardWriteProvisionedThroughputExceeded', c.throttled);
    }
  }

  /** One PutRecords request's per-record outcome. */
  recordPutRecords(stream: MeteredStream, counts: PutRecordsCounts): void {
    const labels = this.streamLabels(stream);
    this.counters.putRecordsTotalRecords.inc(labels, counts.total);
    this.counters.putRecordsSuccessfulRecords.inc(labels, counts.successful);
    this.counters.putRecordsThrottledRecords.inc(labels, counts.throttled);
    this.counters.putRecordsFailedRecords.inc(labels, counts.failed);
    if (counts.successful > 0) this.counters.putRecordsSuccess.inc(labels);
  }

  /** One GetRecords answer; `iteratorAgeMs` is the age of its last record (absent when it returned none). */
  recordRead(stream: MeteredStream, shardId: string, counts: ReadCounts, iteratorAgeMs: number | undefined): void {
    const labels = this.streamLabels(stream);
    this.counters.getRecordsRecords.inc(labels, counts.records);
    this.counters.getRecordsBytes.inc(labels, counts.bytes);
    this.shardCount(stream, shardId, 'shardOutgoingRecords', counts.records);
    this.shardCount(stream, shardId, 'shardOutgoingBytes', counts.bytes);
    if (iteratorAgeMs === undefined) return;
    this.histograms.getRecordsIteratorAge.observe(labels, iteratorAgeMs / 1000);
    if (enabled(stream, METRICS.shardIteratorAge)) this.shardIteratorAge.observe(this.shardLabels(stream, shardId), iteratorAgeMs / 1000);
  }

  /** A GetRecords refused by the shard read limits. */
  recordReadThrottled(stream: MeteredStream, shardId: string): void {
    this.counters.readProvisionedThroughputExceeded.inc(this.streamLabels(stream));
    this.shardCount(stream, shardId, 'shardReadProvisionedThroughputExceeded', 1);
  }

  /** One SubscribeToShard event sent. */
  recordSubscribeEvent(stream: MeteredStream, consumerName: string, shardId: string, counts: ReadCounts, behindMs: number): void {
    const labels = this.consumerLabels(stream, consumerName);
    this.consumerCounters.subscribeToShardEventSuccess.inc(labels);
    this.consumerCounters.subscribeToShardEventRecords.inc(labels, counts.records);
    this.consumerCounters.subscribeToShardEventBytes.inc(labels, counts.bytes);
    this.behindLatest.observe(labels, behindMs / 1000);
    this.shardCount(stream, shardId, 'shardOutgoingRecords', counts.records);
    this.shardCount(stream, shardId, 'shardOutgoingBytes', counts.bytes);
  }

  setSubscriptionsOpen(n: number): void { this.subscriptionsGauge.set(n); }
  setSubscribeFeedsOpen(n: number): void { this.feedsGauge.set(n); }
  subscribeUpstreamRestarted(): void { this.upstreamRestarts.inc(); }
  appendRetried(records: number): void { this.appendRetryCount.inc(records); }

  /**
   * A stream record changed: drops the series of streams gone from the
   * view, and the shard series of metrics a stream turned off.
   */
  onStreamChange(view: ClusterView): void {
    for (const id of [...this.streams.ids()]) {
      const record = view.streamById(id)?.value;
      if (!record) { this.drop(id); continue; }
      for (const id2 of SHARD_COUNTERS) {
        if (enabled(record, METRICS[id2])) continue;
        for (const labels of this.streams.shardsOf(id)) this.shardCounters[id2].remove(labels);
      }
      if (!enabled(record, METRICS.shardIteratorAge)) for (const labels of this.streams.shardsOf(id)) this.shardIteratorAge.remove(labels);
    }
  }

  private drop(streamId: string): void {
    const gone = this.streams.forget(streamId);
    if (!gone) return;
    for (const c of Object.values(this.counters)) c.remove(gone.stream);
    for (const h of Object.values(this.histograms)) h.remove(gone.stream);
    for (const labels of gone.consumers) {
      for (const c of Object.values(this.consumerCounters)) c.remove(labels);
      this.behindLatest.remove(labels);
    }
    for (const labels of gone.shards) {
      for (const c of Object.values(this.shardCounters)) c.remove(labels);
      this.shardIteratorAge.remove(labels);
    }
  }

  private streamLabels(stream: MeteredStream): Record<string, string> {
    const { labels, fresh, folded } = this.streams.stream(stream);
    if (folded) this.folded.inc();
    if (fresh) {
      // A stream's series start at 0 when it is first measured, so rates over them read 0 rather than nothing.
      for (const c of Object.values(this.counters)) c.inc(labels, 0);
      for (const h of Object.values(this.histograms)) h.zero(labels);
    }
    return labels;
  }

  private consumerLabels(stream: MeteredStream, consumerName: string): Record<string, string> {
    const { labels, fresh } = this.streams.consumer(stream, consumerName);
    if (fresh) {
      for (const c of Object.values(this.consumerCounters)) c.inc(labels, 0);
      this.behindLatest.zero(labels);
    }
    return labels;
  }

  private shardLabels(stream: MeteredStream, shardId: string): Record<string, string> {
    return this.streams.shard(stream, shardId).labels;
  }

  /** Adds to a shard-level counter if the stream turned its metric on. */
  private shardCount(stream: MeteredStream, shardId: string, id: ShardCounterId, n: number): void {
    const counter = this.shardCounters[id];
    if (!enabled(stream, METRICS[id])) return;
    counter.inc(this.shardLabels(stream, shardId), n);
  }
}

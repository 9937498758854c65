/**
 * The one table of metric names and labels of every shoal process
 * (docs/observability.md prints it). Kinesis quantities are named after
 * CloudWatch's Kinesis Data Streams metrics, Prometheus style: `kinesis_`,
 * the CloudWatch name in snake case, the unit (`_bytes`, `_seconds`) and
 * `_total` on counters; latencies and ages are histograms in seconds.
 * Cluster internals are `shoal_`. Each quantity has one name, exported by
 * one kind of process (`components`), so sums over processes never count
 * twice: the api exports every Kinesis metric (it knows the caller's
 * account and what the client got), storage nodes and controllers the
 * internals. Every process also exports prom-client's default runtime
 * metrics (RUNTIME_METRIC_PREFIXES).
 *
 * Series stay bounded: stream labels only on the api, capped per process
 * (api METRIC_STREAMS_MAX); shard-level series (`kinesis_shard_*`) only for
 * the shards of streams whose EnableEnhancedMonitoring turned the metric on
 * (`shardLevelMetric`); everything else is labelled by closed sets
 * (operation, error type, role, node, result).
 *
 * A test (packages/cli test/e2e/metrics-prometheus.e2e.ts) scrapes a
 * running cluster and checks that the exposed names and labels are exactly
 * these; the Grafana dashboard's test checks that its queries name only
 * these.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type MetricComponent = 'api' | 'storage-node' | 'controller';
/** The ShardLevelMetrics names of EnableEnhancedMonitoring (core SHARD_LEVEL_METRICS without ALL). */
export type ShardLevelMetric =
  | 'IncomingBytes' | 'IncomingRecords' | 'OutgoingBytes' | 'OutgoingRecords'
  | 'WriteProvisionedThroughputExceeded' | 'ReadProvisionedThroughputExceeded' | 'IteratorAgeMilliseconds';

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  /** Label names, in order (histograms add `le`). */
  readonly labels: readonly string[];
  /** The processes that export it. */
  readonly components: readonly MetricComponent[];
  /** The CloudWatch metric of Kinesis Data Streams it is named after (absent: a shoal internal). */
  readonly cloudWatch?: string;
  /** Shard-level metrics: the EnableEnhancedMonitoring metric that turns the stream's shard series on. */
  readonly shardLevelMetric?: ShardLevelMetric;
  /** Histogram bucket upper bounds. */
  readonly buckets?: readonly number[];
}

/** Labels of stream-level Kinesis metrics: a stream is named within an account and region, as in AWS. */
export const STREAM_LABELS = ['account', 'region', 'stream'] as const;
/** Labels of shard-level Kinesis metrics (enhanced monitoring). */
export const SHARD_LABELS = [...STREAM_LABELS, 'shard'] as const;
/** Labels of SubscribeToShard metrics (CloudWatch's dimensions StreamName and ConsumerName). */
export const CONSUMER_LABELS = [...STREAM_LABELS, 'consumer'] as const;

/** Request latencies, seconds. */
export const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Record ages (iterator age, behind latest), seconds: 0 up to the longest retention (365 days). */
export const AGE_BUCKETS_SECONDS = [0, 0.1, 1, 10, 60, 300, 900, 3_600, 21_600, 86_400, 604_800, 31_536_000] as const;
/** Local disk writes and fsyncs, seconds. */
export const STORAGE_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] as const;

const API = ['api'] as const;
const NODE = ['storage-node'] as const;
const CONTROLLER = ['controller'] as const;
const EVERY_PROCESS = ['api', 'storage-node', 'controller'] as const;

function streamCounter(name: string, cloudWatch: string, help: string): MetricDef {
  return { name, type: 'counter', help: `${cloudWatch}: ${help}`, labels: STREAM_LABELS, components: API, cloudWatch };
}
function streamHistogram(name: string, cloudWatch: string, help: string, buckets: readonly number[]): MetricDef {
  return { name, type: 'histogram', help: `${cloudWatch}: ${help}`, labels: STREAM_LABELS, components: API, cloudWatch, buckets };
}
function consumerCounter(name: string, cloudWatch: string, help: string): MetricDef {
  return { name, type: 'counter', help: `${cloudWatch}: ${help}`, labels: CONSUMER_LABELS, components: API, cloudWatch };
}
function shardCounter(name: string, metric: ShardLevelMetric, help: string): MetricDef {
  return { name, type: 'counter', help: `${metric} (shard level): ${help}`, labels: SHARD_LABELS, components: API, cloudWatch: metric, shardLevelMetric: metric };
}

/** Every metric, by the name code uses for it. */
export const METRICS = {
  // Stream level (CloudWatch dimension StreamName).
  incomingBytes: streamCounter('kinesis_incoming_bytes_total', 'IncomingBytes', 'bytes (data + partition key) successfully put, PutRecord and PutRecords'),
  incomingRecords: streamCounter('kinesis_incoming_records_total', 'IncomingRecords', 'records successfully put, PutRecord and PutRecords'),
  putRecordBytes: streamCounter('kinesis_put_record_bytes_total', 'PutRecord.Bytes', 'bytes put by PutRecord'),
  putRecordLatency: streamHistogram('kinesis_put_record_latency_seconds', 'PutRecord.Latency', 'PutRecord requests by duration (the count is every request)', LATENCY_BUCKETS_SECONDS),
  putRecordSuccess: streamCounter('kinesis_put_record_success_total', 'PutRecord.Success', 'successful PutRecord requests'),
  putRecordsBytes: streamCounter('kinesis_put_records_bytes_total', 'PutRecords.Bytes', 'bytes put by PutRecords (successful records)'),
  putRecordsLatency: streamHistogram('kinesis_put_records_latency_seconds', 'PutRecords.Latency', 'PutRecords requests by duration (the count is every request)', LATENCY_BUCKETS_SECONDS),
  putRecordsSuccess: streamCounter('kinesis_put_records_success_total', 'PutRecords.Success', 'PutRecords requests with at least one successful record'),
  putRecordsSuccessfulRecords: streamCounter('kinesis_put_records_successful_records_total', 'PutRecords.SuccessfulRecords', 'records put by PutRecords (also PutRecords.Records, its deprecated name)'),
  putRecordsFailedRecords: streamCounter('kinesis_put_records_failed_records_total', 'PutRecords.FailedRecords', 'records of PutRecords refused by an internal failure'),
  putRecordsThrottledRecords: streamCounter('kinesis_put_records_throttled_records_total', 'PutRecords.ThrottledRecords', 'records of PutRecords refused by the shard write limits'),
  putRecordsTotalRecords: streamCounter('kinesis_put_records_total_records_total', 'PutRecords.TotalRecords', 'records sent in PutRecords requests'),
  getRecordsBytes: streamCounter('kinesis_get_records_bytes_total', 'GetRecords.Bytes', 'data bytes returned by GetRecords'),
  getRecordsRecords: streamCounter('kinesis_get_records_records_total', 'GetRecords.Records', 'records returned by GetRecords'),
  getRecordsLatency: streamHistogram('kinesis_get_records_latency_seconds', 'GetRecords.Latency', 'GetRecords requests by duration (the count is every request)', LATENCY_BUCKETS_SECONDS),
  getRecordsSuccess: streamCounter('kinesis_get_records_success_total', 'GetRecords.Success', 'successful GetRecords requests'),
  getRecordsIteratorAge: streamHistogram('kinesis_get_records_iterator_age_seconds', 'GetRecords.IteratorAgeMilliseconds', 'age of the last record of each GetRecords answer that returned records', AGE_BUCKETS_SECONDS),
  readProvisionedThroughputExceeded: streamCounter('kinesis_read_provisioned_throughput_exceeded_total', 'ReadProvisionedThroughputExceeded', 'GetRecords requests refused by the shard read limits'),
  writeProvisionedThroughputExceeded: streamCounter('kinesis_write_provisioned_throughput_exceeded_total', 'WriteProvisionedThroughputExceeded', 'records refused by the shard write limits, PutRecord and PutRecords'),
  // SubscribeToShard (CloudWatch dimensions StreamName, ConsumerName).
  subscribeToShardSuccess: consumerCounter('kinesis_subscribe_to_shard_success_total', 'SubscribeToShard.Success', 'SubscribeToShard requests that opened a subscription'),
  subscribeToShardRateExceeded: consumerCounter('kinesis_subscribe_to_shard_rate_exceeded_total', 'SubscribeToShard.RateExceeded', 'SubscribeToShard requests refused because a subscription of the consumer to the shard is active, or this endpoint serves its most'),
  subscribeToShardEventBytes: consumerCounter('kinesis_subscribe_to_shard_event_bytes_total', 'SubscribeToShardEvent.Bytes', 'record bytes sent in SubscribeToShard events'),
  subscribeToShardEventRecords: consumerCounter('kinesis_subscribe_to_shard_event_records_total', 'SubscribeToShardEvent.Records', 'records sent in SubscribeToShard events'),
  subscribeToShardEventSuccess: consumerCounter('kinesis_subscribe_to_shard_event_success_total', 'SubscribeToShardEvent.Success', 'SubscribeToShard events sent'),
  subscribeToShardEventBehindLatest: {
    name: 'kinesis_subscribe_to_shard_event_behind_latest_seconds', type: 'histogram', labels: CONSUMER_LABELS, components: API,
    help: 'SubscribeToShardEvent.MillisBehindLatest: how far each event is behind the tip of the shard', cloudWatch: 'SubscribeToShardEvent.MillisBehindLatest', buckets: AGE_BUCKETS_SECONDS,
  },
  // Shard level (enhanced monitoring; CloudWatch dimensions StreamName, ShardId).
  shardIncomingBytes: shardCounter('kinesis_shard_incoming_bytes_total', 'IncomingBytes', 'bytes successfully put to the shard'),
  shardIncomingRecords: shardCounter('kinesis_shard_incoming_records_total', 'IncomingRecords', 'records successfully put to the shard'),
  shardOutgoingBytes: shardCounter('kinesis_shard_outgoing_bytes_total', 'OutgoingBytes', 'data bytes read from the shard by GetRecords and SubscribeToShard'),
  shardOutgoingRecords: shardCounter('kinesis_shard_outgoing_records_total', 'OutgoingRecords', 'records read from the shard by GetRecords and SubscribeToShard'),
  shardReadProvisionedThroughputExceeded: shardCounter('kinesis_shard_read_provisioned_throughput_exceeded_total', 'ReadProvisionedThroughputExceeded', 'GetRecords requests refused by the shard read limits'),
  shardWriteProvisionedThroughputExceeded: shardCounter('kinesis_shard_write_provisioned_throughput_exceeded_total', 'WriteProvisionedThroughputExceeded', 'records refused by the shard write limits'),
  shardIteratorAge: {
    name: 'kinesis_shard_iterator_age_seconds', type: 'histogram', labels: SHARD_LABELS, components: API, help: 'IteratorAgeMilliseconds (shard level): age of the last record of each GetRecords answer',
    cloudWatch: 'IteratorAgeMilliseconds', shardLevelMetric: 'IteratorAgeMilliseconds', buckets: AGE_BUCKETS_SECONDS,
  },
  // api internals.
  apiRequestDuration: {
    name: 'shoal_api_request_duration_seconds', type: 'histogram', labels: ['operation'], components: API, buckets: LATENCY_BUCKETS_SECONDS,
    help: 'Every request of a known operation by duration, answered or refused (the count is every request)',
  },
  apiErrors: { name: 'shoal_api_errors_total', type: 'counter', labels: ['operation', 'type'], components: API, help: 'Requests answered with an error, by operation and Kinesis error type' },
  apiAppendRetries: { name: 'shoal_api_append_retries_total', type: 'counter', labels: [], components: API, help: 'Records whose append was sent again to another leader (NOT_LEADER, SHARD_NOT_FOUND, STALE_EPOCH, SHARD_CLOSED)' },
  apiSubscriptionsOpen: { name: 'shoal_api_subscriptions_open', type: 'gauge', labels: [], components: API, help: 'SubscribeToShard subscriptions this api process serves now' },
  apiSubscribeFeedsOpen: {
    name: 'shoal_api_subscribe_feeds_open', type: 'gauge', labels: [], components: API,
    help: 'Subscribe calls to storage nodes this api process holds now, each shared by the subscriptions at one place in a shard',
  },
  apiSubscribeUpstreamRestarts: { name: 'shoal_api_subscribe_upstream_restarts_total', type: 'counter', labels: [], components: API, help: 'Subscribe calls to storage nodes reopened (leader change, node gone)' },
  apiMetricStreamsFolded: {
    name: 'shoal_api_metric_streams_folded_total', type: 'counter', labels: [], components: API,
    help: 'Stream measurements counted under stream="_other" because this process already labels its most streams (METRIC_STREAMS_MAX)',
  },
  // Every process.
  etcdRequestDuration: {
    name: 'shoal_etcd_request_duration_seconds', type: 'histogram', labels: ['method', 'outcome'], components: EVERY_PROCESS, buckets: LATENCY_BUCKETS_SECONDS,
    help: 'Unary etcd requests by duration, gRPC method (Range, Txn, Put, LeaseGrant, ...) and outcome (ok or the gRPC status)',
  },
  // Storage node internals.
  nodeInfo: { name: 'shoal_node_info', type: 'gauge', labels: ['node_id', 'az'], components: NODE, help: 'Always 1: the storage node id and availability zone of this process' },
  nodeReplicas: { name: 'shoal_node_replicas', type: 'gauge', labels: ['role'], components: NODE, help: 'Replicas this node holds, by role (leader, follower)' },
  leaderShards: {
    name: 'shoal_leader_shards', type: 'gauge', labels: ['isr_size'], components: NODE,
    help: 'Shards this node leads, by the size of their in-sync replica set (ISR), the leader included',
  },
  replicationLag: {
    name: 'shoal_replication_lag_records', type: 'gauge', labels: ['follower'], components: NODE,
    help: 'Largest lag, in records, of a follower behind this leader\'s log end over the shards this node leads (a follower not heard from counts the whole log)',
  },
  groupCommits: { name: 'shoal_group_commits_total', type: 'counter', labels: [], components: NODE, help: 'Record batches written by shard leaders (one storage write each)' },
  storageWriteDuration: {
    name: 'shoal_storage_write_duration_seconds', type: 'histogram', labels: [], components: NODE, buckets: STORAGE_BUCKETS_SECONDS,
    help: 'Storage writes (LevelDB write batches of log appends, truncations, state) by duration, fsync included when the write syncs',
  },
  storageFsyncDuration: {
    name: 'shoal_storage_fsync_duration_seconds', type: 'histogram', labels: [], components: NODE, buckets: STORAGE_BUCKETS_SECONDS,
    help: 'Synced storage writes (each fsyncs the write-ahead log: every write with --fsync on, the periodic log sync otherwise) by duration',
  },
  // Controller internals.
  controllerActive: { name: 'shoal_controller_active', type: 'gauge', labels: [], components: CONTROLLER, help: '1 while this controller holds the election' },
  controllerCommits: { name: 'shoal_controller_commits_total', type: 'counter', labels: ['result'], components: CONTROLLER, help: 'Controller etcd commits by result (ok, conflict, error)' },
  leaderChanges: {
    name: 'shoal_leader_changes_total', type: 'counter', labels: [], components: CONTROLLER,
    help: 'Shard leader epochs started (a new leader, or a leader re-elected after a restart), seen by the active controller',
  },
  underReplicatedShards: {
    name: 'shoal_under_replicated_shards', type: 'gauge', labels: [], components: CONTROLLER,
    help: 'Open shards whose in-sync replica set is smaller than their replica set (the active controller; 0 on a standby)',
  },
  ingestPolls: {
    name: 'shoal_controller_ingest_polls_total', type: 'counter', labels: ['result'], components: CONTROLLER,
    help: 'ShardCounters calls to storage nodes for on-demand scaling (the active controller), by result (ok, error)',
  },
} as const satisfies Record<string, MetricDef>;

export type MetricId = keyof typeof METRICS;

/** The table as a list, in declaration order. */
export const METRIC_TABLE: readonly MetricDef[] = Object.values(METRICS);

/** prom-client's default runtime metrics (process CPU, memory, event loop, GC), exported by every process. */
export const RUNTIME_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

/** The stream label value of measurements past the api's per-process stream cap. */
export const OTHER_STREAMS_LABEL = '_other';

/**
 * The api's Prometheus metrics, named after the CloudWatch metrics of
 * Kinesis Data Streams (PutRecords.Latency -> kinesis_put_records_latency_seconds,
 * IncomingRecords -> kinesis_incoming_records_total, ...). Per-operation
 * Success and Latency exist for every operation the api serves. No stream
 * label: the number of streams is set by clients, and series must stay bounded.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** CamelCase operation name -> snake_case ("PutRecords" -> "put_records"). */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

interface OperationMetrics {
  readonly success: Counter;
  readonly latency: Histogram;
}

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly perOperation = new Map<string, OperationMetrics>();
  /** Errors by Kinesis error type and operation (both closed sets). */
  readonly errors = new Counter({ name: 'kinesis_errors_total', help: 'Requests answered with an error', labelNames: ['operation', 'type'], registers: [this.registry] });
  readonly incomingRecords = this.counter('kinesis_incoming_records_total', 'IncomingRecords: records written');
  readonly incomingBytes = this.counter('kinesis_incoming_bytes_total', 'IncomingBytes: data + partition key bytes written');
  readonly putRecordsRecords = this.counter('kinesis_put_records_total_records_total', 'PutRecords.TotalRecords');
  readonly putRecordsSuccessfulRecords = this.counter('kinesis_put_records_successful_records_total', 'PutRecords.SuccessfulRecords');
  readonly putRecordsFailedRecords = this.counter('kinesis_put_records_failed_records_total', 'PutRecords.FailedRecords (internal failures)');
  readonly putRecordsThrottledRecords = this.counter('kinesis_put_records_throttled_records_total', 'PutRecords.ThrottledRecords');
  readonly writeThroughputExceeded = this.counter('kinesis_write_provisioned_throughput_exceeded_total', 'WriteProvisionedThroughputExceeded: records refused');
  readonly readThroughputExceeded = this.counter('kinesis_read_provisioned_throughput_exceeded_total', 'ReadProvisionedThroughputExceeded: GetRecords calls refused');
  readonly getRecordsRecords = this.counter('kinesis_get_records_records_total', 'GetRecords.Records');
  readonly getRecordsBytes = this.counter('kinesis_get_records_bytes_total', 'GetRecords.Bytes');
  readonly getRecordsIteratorAge = new Histogram({
    name: 'kinesis_get_records_iterator_age_milliseconds', help: 'GetRecords.IteratorAgeMilliseconds',
    buckets: [0, 100, 1000, 10_000, 60_000, 600_000, 3_600_000, 86_400_000], registers: [this.registry],
  });
  readonly appendRetries = this.counter('shoal_api_append_retries_total', 'Appends retried on another leader (NOT_LEADER / SHARD_NOT_FOUND)');
  readonly subscribeEventRecords = this.counter('kinesis_subscribe_to_shard_event_records_total', 'SubscribeToShardEvent.Records');
  readonly subscribeEventBytes = this.counter('kinesis_subscribe_to_shard_event_bytes_total', 'SubscribeToShardEvent.Bytes');
  readonly subscribeEvents = this.counter('kinesis_subscribe_to_shard_event_success_total', 'SubscribeToShardEvent.Success: events sent');
  readonly subscribeMillisBehind = new Histogram({
    name: 'kinesis_subscribe_to_shard_event_millis_behind_latest', help: 'SubscribeToShardEvent.MillisBehindLatest',
    buckets: [0, 100, 1000, 10_000, 60_000, 600_000, 3_600_000, 86_400_000], registers: [this.registry],
  });
  readonly subscriptions = new Gauge({ name: 'shoal_api_subscriptions', help: 'Open SubscribeToShard subscriptions of this api process', registers: [this.registry] });
  readonly subscribeUpstreamRestarts = this.counter('shoal_api_subscribe_upstream_restarts_total', 'Subscribe calls to storage nodes reopened (leader change, node gone, back-pressure)');

  constructor(operationNames: readonly string[]) {
    collectDefaultMetrics({ register: this.registry });
    for (const name of operationNames) {
      const base = `kinesis_${snakeCase(name)}`;
      this.perOperation.set(name, {
        success: this.counter(`${base}_success_total`, `${name}.Success`),
        latency: new Histogram({ name: `${base}_latency_seconds`, help: `${name}.Latency`, buckets: LATENCY_BUCKETS_SECONDS, registers: [this.registry] }),
      });
    }
  }

  /** Records one finished request of a known operation. */
  observe(operation: string, seconds: number, errorType: string | undefined): void {
    const m = this.perOperation.get(operation);
    if (!m) return;
    m.latency.observe(seconds);
    if (errorType === undefined) m.success.inc();
    else this.errors.inc({ operation, type: errorType });
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }
}

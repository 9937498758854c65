/**
 * Every bound and default of the `shoal` command in one table. Units are last
 * in the names. Service limits come from @shoal/core's table (the Kinesis
 * quotas); these are the client's own choices.
 */
import { limits } from '@shoal/core';

/** The endpoint when neither --endpoint nor AWS_ENDPOINT_URL(_KINESIS) names one: the local cluster. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4567';
/** The region when neither --region, AWS_REGION, AWS_DEFAULT_REGION nor the profile names one. */
export const DEFAULT_REGION = 'us-east-1';

/** Records per PutRecords request (the service's limit). */
export const PUT_BATCH_RECORDS_MAX = limits.PUT_RECORDS_COUNT_MAX;
/**
 * Bytes (data + partition keys) per PutRecords request: 5 MiB, the limit
 * Kinesis documented for years and that other Kinesis servers still apply
 * (newer Kinesis accepts 10 MiB), so a batch is accepted everywhere.
 */
export const PUT_BATCH_BYTES_MAX = 5 * 1024 * 1024;
/** Largest record `put` sends (data + key): the largest a stream can be configured for; the stream may refuse smaller. */
export const PUT_RECORD_BYTES_MAX = limits.RECORD_BYTES_CONFIGURABLE_MAX;
/** A partial batch goes out after this long without a new line (interactive input is not held back). */
export const PUT_LINGER_MS = 100;
/** Lines read ahead of the sender (bounds memory together with the byte bound below). */
export const PUT_QUEUE_LINES_MAX = 2 * limits.PUT_RECORDS_COUNT_MAX;
export const PUT_QUEUE_BYTES_MAX = 2 * PUT_BATCH_BYTES_MAX;
/** Attempts per record that PutRecords reports as failed (throttled, internal failure), then `put` gives up on it. */
export const PUT_RECORD_ATTEMPTS_MAX = 10;
/** Backoff before retrying failed records: doubles from the first to the cap. */
export const PUT_RETRY_BACKOFF_FIRST_MS = 100;
export const PUT_RETRY_BACKOFF_MAX_MS = 5_000;

/** Progress: the bar redraws this often on a terminal; plain lines come this often otherwise. */
export const PROGRESS_BAR_REDRAW_MS = 200;
export const PROGRESS_LINE_INTERVAL_MS = 2_000;
/** Plain progress lines also come at each 1/PROGRESS_LINE_STEPS of an input of known size. */
export const PROGRESS_LINE_STEPS = 10;
/** Width of the progress bar in characters. */
export const PROGRESS_BAR_WIDTH = 24;

/** Records per GetRecords call (the service's maximum). */
export const TAIL_GET_RECORDS_LIMIT = limits.GET_RECORDS_LIMIT_MAX;
/** Least time between two GetRecords calls on one shard (Kinesis allows 5 calls per second per shard). */
export const TAIL_CALL_INTERVAL_MIN_MS = 200;
/** Wait after a page that reached the tip of a shard before polling it again (as the KCL's idle time). */
export const TAIL_IDLE_POLL_MS = 1_000;
/** Wait after ProvisionedThroughputExceededException before reading the shard again. */
export const TAIL_THROTTLE_BACKOFF_MS = 1_000;
/** Attempts to get a fresh iterator or a subscription for one shard after retriable errors, in a row, before giving up. */
export const TAIL_SHARD_RETRIES_MAX = 20;
/** Wait between those attempts. */
export const TAIL_RETRY_BACKOFF_MS = 1_000;
/** How long `tail --consumer` waits for a newly registered consumer to become ACTIVE. */
export const CONSUMER_ACTIVE_WAIT_MS = 120_000;
export const CONSUMER_POLL_MS = 1_000;
/** Real Kinesis lets a new subscription of the same consumer and shard take over after 5 s. */
export const SUBSCRIPTION_IN_USE_BACKOFF_MS = 5_000;

/** Pages a listing (ListStreams, ListShards, ListStreamConsumers, tags) may take before `shoal` stops, as a guard against a server that never ends one. */
export const LIST_PAGES_MAX = 10_000;

/** Attempts the SDK makes per call (its standard retry mode, for errors it knows to be retriable). */
export const SDK_ATTEMPTS_MAX = 3;
/** An HTTP/2 stream idle this long is abandoned (Kinesis sends a SubscribeToShard event at least every 5 s). */
export const SDK_IDLE_TIMEOUT_MS = 30_000;

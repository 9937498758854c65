/** Every limit of the chaos suite, in one place (units last in names). */

/** Violations kept in full per type in a verdict (the rest are only counted). */
export const VIOLATION_DETAILS_PER_TYPE_MAX = 20;
/** History lines quoted around one violation. */
export const VIOLATION_CONTEXT_LINES_MAX = 8;
/** Window after a fault in which its write gap is measured, when no later fault ends it first. */
export const FAULT_GAP_WINDOW_MS = 30_000;
/**
 * After etcd loses quorum, every lease has lapsed within its TTL plus this: a lone etcd leader may renew
 * leases until it steps down (election timeout, 1 s), and scheduling on a shared machine (ack-without-lease).
 */
export const ETCD_QUORUM_LOSS_SLACK_MS = 2_000;

/** Put attempts per value before a writer gives up on it. */
export const PUT_ATTEMPTS_MAX = 5;
/** Backoff before a retry, doubled per attempt up to the max. */
export const PUT_RETRY_BACKOFF_MS = 100;
export const PUT_RETRY_BACKOFF_MS_MAX = 1_000;
/** Client-side deadline of every Kinesis call of the workload. */
export const REQUEST_TIMEOUT_MS = 5_000;
export const CONNECT_TIMEOUT_MS = 1_000;
/** Records per PutRecords call of a batch writer. */
export const BATCH_RECORDS_MAX = 20;
/** Bytes of padding in each record (the data stays small: CPU is shared). */
export const RECORD_PAD_BYTES = 32;
/** Pause of a reader after an empty page or an error. */
export const READ_IDLE_MS = 200;
/** Records per GetRecords call. */
export const READ_LIMIT_RECORDS = 1_000;
/** Shards one reader follows at once (bounded lineage fan-out). */
export const READER_SHARDS_MAX = 64;
/** ListShards sampling period. */
export const SNAPSHOT_INTERVAL_MS = 1_000;
/** GetRecords calls per shard in the final read, and its overall deadline. */
export const FINAL_READ_CALLS_MAX = 10_000;
export const FINAL_READ_DEADLINE_MS = 60_000;
/** Empty pages at the tail of an open shard before the final read calls it complete. */
export const FINAL_READ_EMPTY_PAGES = 2;

/** Open connections per link proxy (a process opens a handful per peer). */
export const LINK_CONNECTIONS_MAX = 256;
/** Bytes held in flight per connection by a delaying link; beyond it the link drops (and taints) instead. */
export const LINK_DELAYED_BYTES_MAX = 16 * 1024 * 1024;

/** Reshard storm: pause after a round settles before the next request (seeded in [min, max]). */
export const RESHARD_PERIOD_MS_MIN = 1_000;
export const RESHARD_PERIOD_MS_MAX = 3_000;
/** Open shards the storm keeps the stream between (it splits at the min, merges at the max). */
export const RESHARD_OPEN_SHARDS_MIN = 2;
export const RESHARD_OPEN_SHARDS_MAX = 8;
/** Attempts of one reshard request refused while another round runs (ResourceInUse, LimitExceeded), and the pause between. */
export const RESHARD_ATTEMPTS_MAX = 60;
export const RESHARD_RETRY_MS = 250;
/** Period of the reshard sampler (DescribeStreamSummary + ListShards), well under a round's length. */
export const RESHARD_SNAPSHOT_INTERVAL_MS = 250;
/** How long the storm waits for the stream to be ACTIVE again after a round, and at its end. */
export const RESHARD_SETTLE_WAIT_MS = 30_000;
/** A reshard round accepted by the api must be done or rolled back within this (reshard-stuck). */
export const RESHARD_STUCK_MS = 15_000;
/** Controller-crash steps: how long to wait for the hook to fire, and for the standby to settle the round. */
export const CRASH_WAIT_MS = 15_000;
/** Fan-out subscribers: how long they keep reading after their stop (records acknowledged before it still arrive after a failover). */
export const SUBSCRIBER_DRAIN_MS = 8_000;
/** Wait before subscribing again after a refusal (the takeover window is 5 s) or a failed call. */
export const SUBSCRIBER_RETRY_MS = 1_000;
/** A subscription must have delivered every record acknowledged this long before its session's last event (failover and delivery). */
export const SUBSCRIPTION_DELIVERY_GRACE_MS = 8_000;
/** Wait for a registered consumer to become ACTIVE. */
export const CONSUMER_ACTIVE_WAIT_MS = 30_000;

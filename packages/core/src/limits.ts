/**
 * Every Kinesis limit and protocol bound used by more than one place, in one
 * table. Units are last in the names (Bytes, Ms, PerSec). Values follow the
 * Amazon Kinesis Data Streams quotas documentation.
 */

/** Largest record (data + partition key) by default: 1 MiB. */
export const RECORD_BYTES_DEFAULT_MAX = 1024 * 1024;
/** Largest record a stream may be configured for (UpdateMaxRecordSize): 10 MiB. */
export const RECORD_BYTES_CONFIGURABLE_MAX = 10 * 1024 * 1024;
/** Records in one PutRecords request. */
export const PUT_RECORDS_COUNT_MAX = 500;
/** Sum of data + partition keys in one PutRecords request, for every stream: 10 MiB (current Kinesis docs). */
export const PUT_RECORDS_BYTES_MAX = 10 * 1024 * 1024;
/** Partition key length in Unicode characters (code units as Kinesis counts). */
export const PARTITION_KEY_LENGTH_MIN = 1;
export const PARTITION_KEY_LENGTH_MAX = 256;
/** Stream names: 1..128 of [a-zA-Z0-9_.-]. */
export const STREAM_NAME_LENGTH_MAX = 128;
export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
/** Records one GetRecords call may return, and the most bytes it may return. */
export const GET_RECORDS_LIMIT_MAX = 10000;
export const GET_RECORDS_BYTES_MAX = 10 * 1024 * 1024;
/** Shard iterators expire 5 minutes after they were issued. */
export const ITERATOR_TTL_MS = 5 * 60 * 1000;
/** Shard iterator string length bounds in the API model. */
export const ITERATOR_LENGTH_MAX = 512;

/** Per-shard write limits: 1 MiB/s and 1000 records/s. */
export const SHARD_WRITE_BYTES_PER_SEC = 1024 * 1024;
export const SHARD_WRITE_RECORDS_PER_SEC = 1000;
/** Per-shard read limits: 2 MiB/s and 5 GetRecords calls/s. */
export const SHARD_READ_BYTES_PER_SEC = 2 * 1024 * 1024;
export const SHARD_READ_CALLS_PER_SEC = 5;

/** Shards a new ON_DEMAND stream starts with. */
export const ON_DEMAND_INITIAL_SHARD_COUNT = 4;
/** Default and bounds of stream retention, in hours. */
export const RETENTION_HOURS_DEFAULT = 24;
export const RETENTION_HOURS_MIN = 24;
export const RETENTION_HOURS_MAX = 8760;
/** ListStreams / ListShards / DescribeStream Limit bounds (API model) and defaults. */
export const LIST_STREAMS_LIMIT_MAX = 10000;
export const LIST_STREAMS_LIMIT_DEFAULT = 100;
export const LIST_SHARDS_MAX_RESULTS_MAX = 10000;
export const LIST_SHARDS_MAX_RESULTS_DEFAULT = 1000;
/**
 * Items one page really holds whatever the (valid) Limit / MaxResults:
 * Kinesis documents "If you specify a value greater than 100, at most 100
 * results are returned" (DescribeStream, ListStreams) and 1000 for ListShards.
 */
export const DESCRIBE_STREAM_PAGE_MAX = 100;
export const LIST_STREAMS_PAGE_MAX = 100;
export const LIST_SHARDS_PAGE_MAX = 1000;
export const TAG_MAP_ENTRIES_MAX = 200;
export const TAG_KEY_LENGTH_MIN = 1;
export const TAG_KEY_LENGTH_MAX = 128;
export const TAG_VALUE_LENGTH_MAX = 256;
/** ListShards NextToken lifetime (Kinesis: 300 seconds). */
export const LIST_SHARDS_TOKEN_TTL_MS = 300 * 1000;

/** Largest HTTP request body the api accepts while streaming (covers base64 of a 10 MiB record plus JSON). */
export const REQUEST_BYTES_MAX = 16 * 1024 * 1024;
/** Largest HTTP header block. */
export const REQUEST_HEADER_BYTES_MAX = 16 * 1024;

/** Replication: the fewest in-sync replicas that may acknowledge a write. */
export const MIN_INSYNC_REPLICAS = 2;
/** Replicas per shard: one per AZ. */
export const REPLICATION_FACTOR = 3;

/** UpdateShardCount: target at most this times the open shards, and at least open / this (Kinesis: double / half). */
export const UPDATE_SHARD_COUNT_FACTOR_MAX = 2;
/** UpdateShardCount calls per stream in a rolling 24 hours (Kinesis: 10; the api's --update-shard-count-per-day overrides). */
export const UPDATE_SHARD_COUNT_PER_DAY_MAX = 10;
/** Open shards a stream may reach through UpdateShardCount (Kinesis: 10000). */
export const UPDATE_SHARD_COUNT_TARGET_MAX = 10000;
/** Smallest and largest MaxRecordSizeInKiB (UpdateMaxRecordSize). */
export const MAX_RECORD_SIZE_KIB_MIN = 1024;
export const MAX_RECORD_SIZE_KIB_MAX = 10240;
/** Open shards an ON_DEMAND stream keeps at least when it merges cold shards (its initial count). */
export const ON_DEMAND_SHARD_COUNT_MIN = ON_DEMAND_INITIAL_SHARD_COUNT;

/** Characters of a resource policy document (PutResourcePolicy `Policy`; IAM's resource-policy size limit). */
export const POLICY_DOCUMENT_CHARS_MAX = 20480;
/** Statements in one resource policy. */
export const POLICY_STATEMENTS_MAX = 100;
/** Values listed for one condition key in a resource policy. */
export const POLICY_CONDITION_VALUES_MAX = 100;
/* ---- Enhanced fan-out: registered consumers and SubscribeToShard ---- */

/** Consumers registered with one stream (Kinesis: 20; 50 for an account with On-demand Advantage). */
export const CONSUMERS_PER_STREAM_MAX = 20;
export const CONSUMERS_PER_STREAM_ADVANTAGE_MAX = 50;
/** Consumers of one stream that may be CREATING at once (a 6th registration answers LimitExceededException). */
export const CONSUMERS_CREATING_MAX = 5;
/** ListStreamConsumers MaxResults bounds (API model) and the most one page holds (Kinesis documents 100). */
export const LIST_STREAM_CONSUMERS_MAX_RESULTS_MAX = 10000;
export const LIST_STREAM_CONSUMERS_PAGE_MAX = 100;
/** ListStreamConsumers NextToken lifetime (Kinesis: 300 seconds). */
export const LIST_STREAM_CONSUMERS_TOKEN_TTL_MS = 300 * 1000;
/** A SubscribeToShard subscription ends after 5 minutes; the client subscribes again. */
export const SUBSCRIPTION_SESSION_MS = 5 * 60 * 1000;
/** A second SubscribeToShard for the same consumer and shard within this long of a successful one is refused (ResourceInUseException); a later one takes over. */
export const SUBSCRIPTION_TAKEOVER_MS = 5_000;
/** Read throughput of one subscription (per consumer per shard): 2 MiB/s, apart from GetRecords' limits. */
export const SUBSCRIPTION_BYTES_PER_SEC = 2 * 1024 * 1024;
/** Tags one resource may hold (AddTagsToStream, TagResource, CreateStream). */
export const TAGS_PER_RESOURCE_MAX = 50;
/** Tag keys in one RemoveTagsFromStream / UntagResource call (API model). */
export const TAG_KEYS_PER_CALL_MAX = 50;
/** ListTagsForStream Limit bound (API model) and its default page. */
export const LIST_TAGS_LIMIT_MAX = 50;
export const LIST_TAGS_LIMIT_DEFAULT = 50;
/** Longest KeyId of StartStreamEncryption / StopStreamEncryption (API model). */
export const KEY_ID_LENGTH_MAX = 2048;
/** KMS keys StartStreamEncryption may newly apply to a stream in a rolling 24 hours (Kinesis: 25). */
export const KEY_ID_CHANGES_PER_DAY_MAX = 25;
/** Default account shard quota (AWS: 20,000 in us-east-1, us-west-2 and eu-west-1; 1,000 elsewhere; the api's --shard-limit overrides). */
export const SHARDS_PER_ACCOUNT_LARGE_REGION_MAX = 20000;
export const SHARDS_PER_ACCOUNT_OTHER_REGION_MAX = 1000;
export const SHARD_LIMIT_LARGE_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1'];
/** ON_DEMAND streams per account by default (AWS: 50; the api's --on-demand-stream-limit overrides). */
export const ON_DEMAND_STREAMS_PER_ACCOUNT_MAX = 50;
/** The On-demand Advantage commitment lasts at least this long before it can end (AWS: 24 hours). */
export const BILLING_COMMITMENT_MIN_MS = 24 * 60 * 60 * 1000;

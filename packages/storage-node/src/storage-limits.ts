/**
 * Bounds of the storage node (units last). Kinesis quotas are in
 * @shoal/core limits; replication protocol bounds in core/replication.
 */

/** Most bytes one shard's group commit gathers into one batch. */
export const GROUP_COMMIT_BYTES_MAX = 4 * 1024 * 1024;
/** Most records one shard's group commit gathers. */
export const GROUP_COMMIT_RECORDS_MAX = 10_000;
/**
 * A leader's group commit of a shard waits up to this long for more of the
 * shard's records (as Kafka's producers linger), unless it already holds
 * GROUP_COMMIT_LINGER_BYTES. What a batch costs a node (its store entries,
 * its replication entry, its ack, the step's work for its shard) hardly
 * grows with what it holds, and a PutRecords spread over many shards
 * brings each only a few records: at 128 shards each shard's batch would
 * otherwise hold a few KiB. One node timer ends every shard's wait; a
 * follower never waits (docs/storage.md "Group commit").
 */
export const GROUP_COMMIT_LINGER_MS = 8;
export const GROUP_COMMIT_LINGER_BYTES = 64 * 1024;
/** Most bytes of new batches one node driver step writes (all shards; the rest waits for the next step). */
export const NODE_COMMIT_BYTES_MAX = 16 * 1024 * 1024;
/** Most record bytes queued at a node's leaders, all shards together. */
export const NODE_APPEND_QUEUE_BYTES_MAX = 256 * 1024 * 1024;
/** Most records queued at a leader waiting to be appended (across requests). */
export const APPEND_QUEUE_RECORDS_MAX = 50_000;
/** Most bytes queued at a leader waiting to be appended. */
export const APPEND_QUEUE_BYTES_MAX = 64 * 1024 * 1024;
/** Most appends queued at a follower replica. */
export const INBOUND_QUEUE_APPENDS_MAX = 256;
/** Most control events (acks, config, ticks) queued per replica. */
export const EVENT_QUEUE_MAX = 10_000;
/** An Append not committed after this long answers TIMEOUT (outcome unknown). */
export const APPEND_COMMIT_TIMEOUT_MS = 10_000;
/** Largest ShardAppend payload (sum of batch bytes) for one shard in one message. */
export const REPLICATION_MESSAGE_BYTES_MAX = 8 * 1024 * 1024;
/** Largest replication message to one peer (many shards); more goes in further messages. */
export const PEER_MESSAGE_BYTES_MAX = 16 * 1024 * 1024;
/** Bytes of recent batches one leader replica may keep in memory ... */
export const BATCH_CACHE_BYTES_MAX = 8 * 1024 * 1024;
/**
 * ... and all the leaders of a node together (each gets an equal share, up
 * to the above; followers keep none: batch-cache.ts). 64 MiB holds seconds
 * of a node's put load, what tail reads and sends need; a larger cache
 * costs CPU under load (docs/storage.md "In memory: the batch cache").
 */
export const NODE_CACHE_BYTES_MAX = 64 * 1024 * 1024;
/**
 * LevelDB settings of the two instances (docs/storage.md has the
 * measurements). `data` only ever gets growing keys and large values, so
 * its tables are written once and never compacted against each other: a
 * larger memtable buys nothing, 64 KiB blocks keep its table indexes small.
 * `index` holds small per-shard keys. Each costs up to twice its memtable
 * in memory (one being written, one being flushed).
 */
export const LEVELDB_DATA_OPTIONS = { writeBufferSize: 8 * 1024 * 1024, blockSize: 64 * 1024, compression: true } as const;
export const LEVELDB_INDEX_OPTIONS = { writeBufferSize: 4 * 1024 * 1024, blockSize: 4 * 1024, compression: true } as const;
/**
 * A node's `index` memtable is LEVELDB_INDEX_OPTIONS' writeBufferSize times
 * (1 + this * a fraction in [0, 1) drawn from its node id): the replicas of
 * a shard write the same index bytes at the same moments, so with equal
 * memtables their index compactions start together on every node, which
 * on a shared machine stalls every call for a moment (index-write-buffer.ts).
 */
export const LEVELDB_INDEX_WRITE_BUFFER_SPREAD = 1;
/** How often the node timer ticks the replicas that wait on time (resends, timeouts, retries). */
export const TICK_INTERVAL_MS = 50;
/** How often every replica drops the committed batches older than its stream's retention period. */
export const RETENTION_CHECK_INTERVAL_MS = 60_000;
/** Reconnect backoff of a replication stream: first and largest delay. */
export const RECONNECT_BACKOFF_MS_MIN = 100;
export const RECONNECT_BACKOFF_MS_MAX = 2_000;
/** Re-registration under a new lease after losing one: backoff bounds. */
export const REREGISTER_BACKOFF_MS_MIN = 200;
export const REREGISTER_BACKOFF_MS_MAX = 5_000;
/** Default and bound of a Read's max_bytes when the caller leaves it 0. */
export const READ_BYTES_DEFAULT = 10 * 1024 * 1024;
/** Default max_records when the caller leaves it 0. */
export const READ_RECORDS_DEFAULT = 10_000;
/** On close, how long in-flight gRPC calls get before the server cuts them. */
export const SHUTDOWN_GRACE_MS = 500;
/** Subtracted from the lease TTL when judging by our clock whether the node lease is still valid. */
export const LEASE_VALIDITY_MARGIN_MS = 250;
/** A rebuilt node (corrupt database discarded) waits at most this long to leave every ISR and leadership before registering. */
export const REBUILD_WITHDRAW_WAIT_MS = 60_000;
export const REBUILD_WITHDRAW_POLL_MS = 200;
/** With --fsync off, how often the node fsyncs its LevelDB logs if anything was written (wal-sync.ts): bounds a whole-cluster power cut's loss. */
export const WAL_SYNC_INTERVAL_MS_DEFAULT = 1_000;
/** Subscribe calls (enhanced fan-out) one node serves at once; more answer TOO_MANY_SUBSCRIPTIONS. */
export const SUBSCRIPTIONS_PER_NODE_MAX = 2_000;
/** Record bytes in one Subscribe message when the api names no bound (at least one record is sent). */
export const SUBSCRIBE_MESSAGE_BYTES_DEFAULT = 256 * 1024;
/** Largest max_bytes an api may ask for per Subscribe message. */
export const SUBSCRIBE_MESSAGE_BYTES_MAX = 4 * 1024 * 1024;
/** Subscribe messages written but not yet taken by the transport, per call: with the message bound, what one slow subscription costs the node. */
export const SUBSCRIBE_MESSAGES_IN_FLIGHT_MAX = 4;
/** A Subscribe call with nothing new sends a heartbeat (high watermark only) this often, so the api can tell a live leader from a silent one. */
export const SUBSCRIBE_HEARTBEAT_MS = 1_000;

/**
 * Bounds of the storage node (units last). Kinesis quotas are in
 * @shoal/core limits; replication protocol bounds in core/replication.
 */

/** Most bytes one group commit gathers into one batch (one LevelDB write). */
export const GROUP_COMMIT_BYTES_MAX = 4 * 1024 * 1024;
/** Most records one group commit gathers. */
export const GROUP_COMMIT_RECORDS_MAX = 10_000;
/** Most records queued at a leader waiting to be appended (across requests). */
export const APPEND_QUEUE_RECORDS_MAX = 50_000;
/** Most bytes queued at a leader waiting to be appended. */
export const APPEND_QUEUE_BYTES_MAX = 64 * 1024 * 1024;
/** Most ShardAppends queued at a follower replica. */
export const INBOUND_QUEUE_APPENDS_MAX = 256;
/** Most control events (acks, config, ticks) queued per replica. */
export const EVENT_QUEUE_MAX = 10_000;
/** An Append not committed after this long answers TIMEOUT (outcome unknown). */
export const APPEND_COMMIT_TIMEOUT_MS = 10_000;
/** Largest ShardAppend payload (sum of batch bytes) sent in one message. */
export const REPLICATION_MESSAGE_BYTES_MAX = 8 * 1024 * 1024;
/** Bytes of recent batches each replica keeps in memory (per replica, not per node yet). */
export const BATCH_CACHE_BYTES_MAX = 8 * 1024 * 1024;
/**
 * LevelDB memtable size (default 4 MiB). Every node writes every shard it
 * holds, so at tens of MB/s a 4 MiB memtable flushes several times a second
 * and each small L0 file, spanning every shard's key range, is compacted
 * against most of L1: 32 MiB cut node CPU per MB written by ~15% in the
 * put benchmark. Costs up to twice this in memory (memtable + one being flushed).
 */
export const LEVELDB_WRITE_BUFFER_BYTES = 32 * 1024 * 1024;
/** How often each replica's loop gets a tick (resends, heartbeats, timeouts). */
export const TICK_INTERVAL_MS = 50;
/** Reconnect backoff of a replication stream: first and largest delay. */
export const RECONNECT_BACKOFF_MS_MIN = 100;
export const RECONNECT_BACKOFF_MS_MAX = 2_000;
/** Acks or appends gathered into one stream message before it is written. */
export const STREAM_MESSAGE_ITEMS_MAX = 1_000;
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
/** A reopened leader asks again for the next epoch this often until the record moves (epoch-bump.ts). */
export const EPOCH_BUMP_RETRY_MS = 1_000;
/** With --fsync off, how often the node fsyncs LevelDB's log if anything was written (wal-sync.ts): bounds a whole-cluster power cut's loss. */
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

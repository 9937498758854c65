/**
 * Bounds of the replication protocol, in one place. Units last in names.
 * (Kinesis-facing limits live in ../limits.ts.)
 */

/** ShardAppend messages a leader may have unacknowledged per follower per shard. */
export const REPLICATION_INFLIGHT_MAX = 16;
/**
 * A follower owed only the leader's high watermark (it holds every record)
 * hears it in a message of its own once nothing was sent to it for this
 * long. Under load its shard's next records carry the high watermark first,
 * so an append costs one message and ack per follower, not two. Only the
 * follower's view lags: reads and producers' acknowledgements go by the
 * leader's, and a new leader's grows again from its followers' acks.
 */
export const HW_ONLY_SEND_DELAY_MS = 100;
/** A follower silent this long while messages are in flight is probed again. */
export const REPLICATION_RESEND_TIMEOUT_MS = 2_000;
/** After a follower says it does not hold the shard (yet), wait this long. */
export const REPLICATION_RETRY_BACKOFF_MS = 200;
/** Entries kept in a leader-epoch cache; the oldest go first. */
export const EPOCH_CACHE_ENTRIES_MAX = 1024;
/**
 * A follower in the ISR that has not caught up to the leader's log end for
 * this long leaves it (Kafka replica.lag.time.max.ms). It bounds the write
 * stall when a follower dies and comes back before its node lease expires
 * (then the controller never sees it gone): 3 s, like the node lease, keeps
 * that stall within the failover bound (chaos leader-kill-loop).
 */
export const ISR_LAG_TIME_MAX_MS = 3_000;
/** The leader looks at its ISR (lagging followers out, caught-up ones in) at most this often. */
export const ISR_CHECK_INTERVAL_MS = 100;
/** A pending ISR change whose outcome is not yet seen is proposed again this often. */
export const ISR_CHANGE_RETRY_MS = 1_000;
/** A seal whose outcome is not yet seen is proposed again this often. */
export const SEAL_RETRY_MS = 500;
/** A reopened leader asks again for the next epoch this often until the record moves. */
export const EPOCH_BUMP_RETRY_MS = 1_000;
/** Truncation rounds a follower may need to find where its log matches the leader's (each strictly shortens it). */
export const TRUNCATION_ROUNDS_MAX = 64;

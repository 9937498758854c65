/**
 * Bounds of the controller: lease and timing constants, and how much one
 * etcd transaction may carry. Units are last in the names.
 */

/** TTL of the controller's election lease; a dead controller is replaced within about this. */
export const ELECTION_LEASE_TTL_SEC = 5;
/** Wait before campaigning again after the campaign failed (lease lost, etcd down). */
export const CAMPAIGN_RETRY_MS = 1000;
/** Period of the reconcile pass when nothing changes (timers, retries after errors). */
export const RECONCILE_TICK_MS = 1000;
/**
 * A newly elected controller waits this long before failing over leaders
 * that are missing from nodes/, so that nodes restarting with the cluster
 * (down/up) can register again first. Twice the nodes' default lease TTL.
 */
export const FAILOVER_GRACE_MS = 10_000;
/**
 * Shard records written or deleted by one transaction. etcd refuses
 * transactions of more than 128 operations by default (--max-txn-ops), and
 * a commit also compares the stream key and the election key.
 */
export const SHARDS_PER_COMMIT_MAX = 100;
/** Failover commits per reconcile pass; the rest wait for the next pass. */
export const FAILOVERS_PER_PASS_MAX = 1000;
/** Waiting reasons remembered (one per stream) to log each once. */
export const WAIT_REASONS_MAX = 10_000;
/**
 * A replica whose node has been missing from nodes/ this long is moved to
 * another node (re-replication); a node only briefly gone (a restart, a
 * pause) keeps its replicas and catches up instead. Overridden by the
 * controller's --rereplication-grace-sec.
 */
export const REREPLICATION_GRACE_MS = 30_000;
/** Re-replication, drain and move-leader commits per reconcile pass; the rest wait for the next pass. */
export const MOVES_PER_PASS_MAX = 100;
/** Nodes whose AZ (and missing-since time) the controller remembers. */
export const KNOWN_NODES_MAX = 10_000;

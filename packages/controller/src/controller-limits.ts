/**
 * Bounds of the controller: lease and timing constants, and how much one
 * etcd transaction may carry. Units are last in the names.
 */

/**
 * TTL of the controller's election lease; a dead controller is replaced
 * within about this (keepalives every third of it). It bounds the write
 * gap when the active controller's AZ dies with a shard leader: nobody
 * fails that leader over before a standby is elected (chaos az-outage: 5 s
 * gave gaps near 5 s). A controller that misses its keepalives only loses
 * the election (its commits are fenced by the election key), so a short
 * TTL costs a re-campaign, not safety. etcd's minimum lease TTL is 2 s.
 */
export const ELECTION_LEASE_TTL_SEC = 3;
/** Wait before campaigning again after the campaign failed (lease lost, etcd down). */
export const CAMPAIGN_RETRY_MS = 1000;
/** Period of the reconcile pass when nothing changes (timers, retries after errors). */
export const RECONCILE_TICK_MS = 1000;
/**
 * A new stream becomes ACTIVE only once it has been CREATING this long
 * (from when the active controller first saw it so), however soon its
 * replicas are open (tens of milliseconds for a few shards). Kinesis takes
 * seconds, and clients read the state: DescribeStream right after
 * CreateStream answers CREATING. 500 ms, as kinesalite and kinesis-mock: a
 * longer time costs scripts 10 s (the AWS CLI's `wait stream-exists` polls
 * every 10 s, and its first poll, a CLI start after CreateStream, came
 * 0.9 s later here: it saw CREATING with 1 s and waited).
 */
export const STREAM_CREATING_MS = 500;
/**
 * A deleted stream stays DELETING at least this long (counted the same way)
 * before its consumers, shards and record go. Kinesis keeps a deleted
 * stream DELETING for seconds, and clients read that state: DescribeStream
 * right after DeleteStream answers DELETING, and a CreateStream of the same
 * name meanwhile is ResourceInUseException. Deleting at once, this cluster
 * answered ResourceNotFoundException a few milliseconds later.
 */
export const STREAM_DELETING_MS = 500;
/**
 * Likewise an UPDATING stream (a reshard, UpdateShardCount, an encryption
 * change) becomes ACTIVE only once it has been UPDATING this long, however
 * soon the change is done (a split's children take writes within
 * milliseconds): DescribeStream right after SplitShard answers UPDATING, as
 * in Kinesis, where a split takes seconds.
 */
export const STREAM_UPDATING_MS = 500;
/**
 * A registered consumer becomes ACTIVE, and a deregistered one goes, only
 * once it has been CREATING or DELETING this long: Kinesis takes seconds,
 * and DescribeStreamConsumer right after RegisterStreamConsumer answers
 * CREATING (SubscribeToShard then ResourceInUseException).
 */
export const CONSUMER_CREATING_MS = 500;
export const CONSUMER_DELETING_MS = 500;
/**
 * A controller process waits this long after it starts before failing over
 * leaders that are missing from nodes/, so that nodes restarting with the
 * cluster (down/up) can register again first. Twice the nodes' default lease
 * TTL. Counted from the process start, not the election: a standby that
 * takes over later has watched the nodes all along (chaos az-outage).
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
/**
 * Split/merge steps in one reshard round. The completing commit writes
 * every parent (<= 2 per step), every child (<= 2 per step) and the stream,
 * and must stay under etcd's 128 operations per transaction.
 */
export const RESHARD_STEPS_PER_ROUND_MAX = 25;
/** Reshard commits (round starts and progress) per reconcile pass; the rest wait for the next pass. */
export const RESHARDS_PER_PASS_MAX = 100;
/**
 * A round whose parents are not all sealed (or whose children cannot be
 * placed) this long after it was requested is rolled back: the parents
 * take writes again. Overridden by --reshard-timeout-sec.
 */
export const RESHARD_TIMEOUT_MS = 30_000;
/** On-demand: a shard whose demand over the window reaches this share of its write limit splits. */
export const ONDEMAND_SPLIT_UTILIZATION = 0.5;
/** On-demand: two adjacent shards whose summed demand over the window stays below this share of one shard's limit merge. */
export const ONDEMAND_MERGE_UTILIZATION = 0.25;
/** On-demand: default utilization window (Kinesis: about a minute); --ondemand-window-sec overrides. */
export const ONDEMAND_WINDOW_MS = 60_000;
/** On-demand: a stream merges cold shards only this long after its last round; --ondemand-cooldown-sec overrides. */
export const ONDEMAND_COOLDOWN_MS = 15 * 60_000;
/** ShardCounters calls to every node per window (at least one call per second). */
export const INGEST_POLLS_PER_WINDOW = 6;
export const INGEST_POLL_INTERVAL_MS_MAX = 1_000;
/** Deadline of one ShardCounters call. */
export const INGEST_CALL_TIMEOUT_MS = 2_000;
/** Shards (per node counters and per shard windows) the ingest monitor tracks; beyond it forgets everything and starts over. */
export const INGEST_SERIES_MAX = 100_000;
/**
 * A planned leadership change (move-leader, drain, rebalance) waits this
 * long between stopping the old leader's appends and bumping the epoch, so
 * what the old leader already appended commits first (a replication round
 * trip: milliseconds). Writes to the shard pause for about this plus two
 * etcd commits and watch deliveries.
 */
export const HANDOVER_DRAIN_MS = 100;
/** Rebalancing: node counts (replicas per AZ, leaders) must differ by this much before anything moves (hysteresis). */
export const REBALANCE_SKEW_MIN = 2;
/** Rebalancing: replica moves in flight at once, cluster-wide (each copies a log). */
export const REBALANCE_REPLICA_MOVES_MAX = 2;
/** Rebalancing: leader handovers in flight at once, cluster-wide (each pauses a shard's writes briefly). */
export const REBALANCE_HANDOVERS_MAX = 1;
/**
 * Rebalancing starts only after the set of live nodes has been unchanged
 * this long (a node that flaps, or several joining together, moves nothing
 * until it settles).
 */
export const REBALANCE_SETTLE_MS = 3_000;
/** Consumer commits (CREATING -> ACTIVE, DELETING -> gone) per reconcile pass; the rest wait for the next pass. */
export const CONSUMER_COMMITS_PER_PASS_MAX = 100;

/**
 * The leader's ISR policy (Kafka's AlterPartition idea, decided by the
 * leader, written by it to etcd with a compare-and-swap): which followers
 * leave the in-sync replica set because they lag, and which join because
 * they caught up. Pure functions over the leader's follower progress.
 *
 * Safety rules the caller (ReplicaMachine) keeps around these decisions:
 * - an EXPANSION counts the joining follower in the high watermark from the
 *   moment it is proposed (maximal ISR = committed ISR + pending), so an
 *   ISR that etcd might already hold never misses a committed record;
 * - a SHRINK keeps the larger ISR until the committed record is seen;
 * - a follower joins only once it holds everything committed: its matched
 *   log end reaches both the high watermark and the start offset of the
 *   leader's epoch (every record acknowledged in earlier epochs lies below
 *   it, as in Kafka).
 */
import { ISR_LAG_TIME_MAX_MS } from './replication-limits';

/** What the policy needs to know about one follower. */
export interface FollowerSyncState {
  /** Acknowledged (matched) exclusive log end; -1 if unknown. */
  readonly matchEnd: number;
  /** Last time (monotonic ms) the follower was caught up to the leader's log end. */
  readonly lastCaughtUpMs: number;
}

export interface IsrPolicyInput {
  readonly selfId: string;
  readonly replicas: readonly string[];
  readonly isr: readonly string[];
  readonly followers: ReadonlyMap<string, FollowerSyncState>;
  readonly highWatermark: number;
  /** The leader's log end now. */
  readonly logEnd: number;
  /** The leader's log end when its epoch began. */
  readonly epochStartOffset: number;
  readonly nowMs: number;
}

/** The ISR the leader should propose now, or undefined if it should stay. Order follows `replicas`. */
export function nextIsr(input: IsrPolicyInput): string[] | undefined {
  const joinAt = Math.max(input.highWatermark, input.epochStartOffset);
  const next: string[] = [];
  let changed = false;
  for (const id of input.replicas) {
    const inIsr = input.isr.includes(id);
    if (id === input.selfId) {
      if (!inIsr) changed = true; // a leader is always in its ISR
      next.push(id);
      continue;
    }
    const f = input.followers.get(id);
    if (inIsr) {
      // Lagging: not caught up to the log end for too long. A follower that holds the whole log is in
      // sync however long the shard has been idle (lastCaughtUpMs only moves when the log grows).
      const lagging = !f || (f.matchEnd < input.logEnd && input.nowMs - f.lastCaughtUpMs > ISR_LAG_TIME_MAX_MS);
      if (lagging) changed = true; else next.push(id);
    } else if (f && f.matchEnd >= 0 && f.matchEnd >= joinAt) {
      next.push(id);
      changed = true;
    }
  }
  return changed ? next : undefined;
}

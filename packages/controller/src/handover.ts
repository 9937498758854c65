/**
 * Planned leadership changes (move-leader, drain, rebalance) in two
 * commits, so that writes pause for well under a second and no producer
 * is left with an unknown outcome:
 *   1. set `handoverTo` (and when) on the shard record; leader and epoch
 *      stay. The leader, once it sees it, admits no new appends (answers
 *      NOT_LEADER: nothing appended, the api retries) and lets what it
 *      already appended commit; the target, an ISR member, keeps fetching;
 *   2. HANDOVER_DRAIN_MS later: leader := target, epoch + 1, the handover
 *      fields removed, if the target is still a live, non-drained ISR
 *      member; otherwise only the handover fields are removed (abort).
 * The second step elects an ISR member exactly like an immediate leader
 * change would, so the handover adds no replication rule; it only keeps
 * the old leader from taking writes it could not commit before the epoch
 * bump. Failover (plans.ts) and every leader change remove the fields.
 */
import type { Keys, ShardRecord, Versioned } from '@shoal/metadata';
import type { MoveContext } from './replica-moves';
import type { PlanOutcome } from './plans';

type Compare = ReadonlyArray<{ key: string; modRevision: string }>;

function shardName(s: ShardRecord): string {
  return `${s.streamName}/${s.shardId}`;
}

/** The record without a handover in progress (every leader change uses this). */
export function withoutHandover(s: ShardRecord): ShardRecord {
  const { handoverTo: _to, handoverRequestedMs: _at, ...rest } = s;
  return rest;
}

/** Step 1: ask the leader to stop admitting appends before `to` takes over. */
export function startHandover(keys: Keys, shard: Versioned<ShardRecord>, to: string, why: string, nowMs: number,
  extraDeletes: readonly string[] = [], extraCompare: Compare = []): PlanOutcome {
  const s = shard.value;
  const key = keys.shard(s.streamId, s.shardId);
  const value: ShardRecord = { ...s, handoverTo: to, handoverRequestedMs: nowMs };
  return {
    kind: 'commit',
    plan: {
      reason: `${why}: ${shardName(s)} hand over leadership ${s.leader} -> ${to}`,
      compare: [{ key, modRevision: shard.modRevision }, ...extraCompare], puts: [{ key, value }], deletes: [...extraDeletes],
    },
  };
}

/**
 * Step 2 of a handover in progress, or undefined (none in progress, or the
 * drain time has not passed yet: `retryInMs` tells the caller when to look
 * again). A dead leader is left to failover.
 */
export function planHandover(keys: Keys, shard: Versioned<ShardRecord>, ctx: Pick<MoveContext, 'liveAz' | 'drained' | 'load'>,
  nowMs: number, drainMs: number, retryInMs: (ms: number) => void): PlanOutcome | undefined {
  const s = shard.value;
  const to = s.handoverTo;
  if (to === undefined) return undefined;
  if (!ctx.liveAz.has(s.leader)) return undefined; // failover removes the handover
  const key = keys.shard(s.streamId, s.shardId);
  const compare = [{ key, modRevision: shard.modRevision }];
  if (to === s.leader || !s.isr.includes(to) || !ctx.liveAz.has(to) || ctx.drained.has(to)) {
    return { kind: 'commit', plan: { reason: `abort handover of ${shardName(s)} to ${to}: no longer a live in-sync replica`, compare, puts: [{ key, value: withoutHandover(s) }], deletes: [] } };
  }
  // A negative elapsed time (another controller's clock ahead) completes at once: safety does not depend on the wait.
  const elapsed = nowMs - (s.handoverRequestedMs ?? 0);
  if (elapsed >= 0 && elapsed < drainMs) { retryInMs(drainMs - elapsed); return undefined; }
  const from = ctx.load.get(s.leader);
  const target = ctx.load.get(to);
  if (from) from.leaders--;
  if (target) target.leaders++;
  const value: ShardRecord = { ...withoutHandover(s), leader: to, epoch: s.epoch + 1 };
  return { kind: 'commit', plan: { reason: `handover ${shardName(s)}: leader ${s.leader} -> ${to}, epoch ${value.epoch}`, compare, puts: [{ key, value }], deletes: [] } };
}

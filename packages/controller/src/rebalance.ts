/**
 * Rebalancing as a pure plan over the open shards: which replica moves and
 * leader handovers to start now so that replicas (per AZ) and leaderships
 * (over all nodes) spread evenly. It only starts moves; the existing paths
 * finish them:
 *   - a replica move adds the least-loaded node of the AZ to `replicas` and
 *     names the replica it replaces in `rebalanceFrom` (one commit); the
 *     leader catches the new replica up and adds it to the ISR, then
 *     planReplicaMove drops the old one (replica-moves.ts). Replicas stay
 *     one per AZ: the replacement is in the replaced replica's AZ;
 *   - a leader move is a handover (handover.ts) to an in-sync replica.
 *
 * Hysteresis: a node pair is only rebalanced when their counts differ by
 * at least the skew minimum (2), and every move goes from the more loaded
 * to the less loaded of such a pair, so each move strictly lowers the sum
 * of squared counts: the process converges and never moves anything back
 * (it stops with counts within 1 of each other, or no allowed move). The
 * one exception, a leader chain (chainedLeaderMove), takes two moves that
 * together lower it.
 * Rate: at most a few moves in flight over the whole cluster; leader moves
 * start only when no replica move is in flight (leaders can only go to
 * in-sync replicas, which replica moves change). Nothing starts while any
 * node is departing (drain, re-replication): those moves come first.
 * ISR safety: only shards whose ISR is all of their REPLICATION_FACTOR
 * replicas, with no move, handover or reshard in progress, are touched.
 */
import { limits } from '@shoal/core';
import { isHandingOver, isOpenShard, isSettled, type Keys, type ShardRecord, type Versioned } from '@shoal/metadata';
import { startHandover } from './handover';
import type { MoveContext } from './replica-moves';
import type { PlanOutcome } from './plans';

export interface RebalanceSettings {
  /** Counts of two nodes must differ by at least this to move anything between them (hysteresis). */
  readonly skewMin: number;
  /** Replica moves (rebalanceFrom set or surplus replica) in flight at once, cluster-wide. */
  readonly replicaMovesMax: number;
  /** Leader handovers in flight at once, cluster-wide. */
  readonly handoversMax: number;
}

type Shard = Versioned<ShardRecord>;

function shardName(s: ShardRecord): string {
  return `${s.streamName}/${s.shardId}`;
}

/** Open, fully in sync, and with nothing else in progress: safe to start a move on. */
function settled(s: ShardRecord): boolean {
  return isSettled(s)
    && s.replicas.length === limits.REPLICATION_FACTOR && s.replicas.every((id) => s.isr.includes(id));
}

/** Counts only eligible nodes (the keys present from the start). */
function bump(counts: Map<string, number>, id: string, by: number): void {
  const c = counts.get(id);
  if (c !== undefined) counts.set(id, c + by);
}

function byCountThenId(counts: ReadonlyMap<string, number>): (a: string, b: string) => number {
  return (a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The moves to start now (commits), at most the free in-flight slots.
 * `eligible` nodes are live and not drained; counts include moves already
 * in flight as if done (the replica in `rebalanceFrom` no longer counts).
 */
export function planRebalance(keys: Keys, shards: readonly Shard[], ctx: MoveContext, settings: RebalanceSettings, nowMs: number): PlanOutcome[] {
  const open = shards.filter((v) => isOpenShard(v.value));
  if (open.some((v) => v.value.replicas.some((id) => ctx.departing.has(id)))) return [];
  const eligible = [...ctx.liveAz.keys()].filter((id) => !ctx.drained.has(id)).sort();
  const replicaCounts = new Map<string, number>(eligible.map((id) => [id, 0]));
  const leaderCounts = new Map<string, number>(eligible.map((id) => [id, 0]));
  let replicaMoves = 0;
  let handovers = 0;
  for (const { value: s } of open) {
    for (const id of s.replicas) if (id !== s.rebalanceFrom) bump(replicaCounts, id, 1);
    bump(leaderCounts, s.handoverTo ?? s.leader, 1);
    if (s.rebalanceFrom !== undefined || s.replicas.length > limits.REPLICATION_FACTOR) replicaMoves++;
    if (isHandingOver(s)) handovers++;
  }
  const out: PlanOutcome[] = [];
  const touched = new Set<string>();
  while (replicaMoves < settings.replicaMovesMax) {
    const move = nextReplicaMove(keys, open, touched, eligible, ctx, replicaCounts, settings.skewMin);
    if (!move) break;
    out.push(move);
    replicaMoves++;
  }
  if (replicaMoves > 0) return out;
  while (handovers < settings.handoversMax) {
    const move = nextLeaderMove(keys, open, touched, leaderCounts, settings.skewMin, nowMs);
    if (!move) break;
    out.push(move);
    handovers++;
  }
  return out;
}

/** The AZ with the largest skew >= skewMin: move one replica from its most to its least loaded node. */
function nextReplicaMove(keys: Keys, open: readonly Shard[], touched: Set<string>, eligible: readonly string[], ctx: MoveContext,
  counts: Map<string, number>, skewMin: number): PlanOutcome | undefined {
  const byAz = new Map<string, string[]>();
  for (const id of eligible) {
    const az = ctx.liveAz.get(id)!;
    let ids = byAz.get(az);
    if (!ids) byAz.set(az, (ids = []));
    ids.push(id);
  }
  const order = byCountThenId(counts);
  const pairs: Array<{ from: string; to: string; skew: number }> = [];
  for (const ids of byAz.values()) {
    if (ids.length < 2) continue;
    const sorted = [...ids].sort(order);
    const to = sorted[0]!;
    const from = sorted[sorted.length - 1]!;
    const skew = (counts.get(from) ?? 0) - (counts.get(to) ?? 0);
    if (skew >= skewMin) pairs.push({ from, to, skew });
  }
  pairs.sort((a, b) => b.skew - a.skew || (a.from < b.from ? -1 : 1));
  for (const { from, to } of pairs) {
    const candidates = open.filter((v) => !touched.has(key(v)) && settled(v.value) && v.value.replicas.includes(from) && !v.value.replicas.includes(to));
    // A follower moves without any pause; a leader would first need a handover.
    const pick = candidates.find((v) => v.value.leader !== from) ?? candidates[0];
    if (!pick) continue;
    touched.add(key(pick));
    bump(counts, from, -1);
    bump(counts, to, 1);
    const s = pick.value;
    const k = keys.shard(s.streamId, s.shardId);
    const value: ShardRecord = { ...s, replicas: [...s.replicas, to], rebalanceFrom: from };
    return { kind: 'commit', plan: { reason: `rebalance ${shardName(s)}: move replica ${from} -> ${to}`, compare: [{ key: k, modRevision: pick.modRevision }], puts: [{ key: k, value }], deletes: [] } };
  }
  return undefined;
}

/** The (leader, in-sync replica) pair with the largest leadership skew >= skewMin: hand that shard over. */
function nextLeaderMove(keys: Keys, open: readonly Shard[], touched: Set<string>, counts: Map<string, number>,
  skewMin: number, nowMs: number): PlanOutcome | undefined {
  let best: { shard: Shard; to: string; skew: number } | undefined;
  for (const v of open) {
    const s = v.value;
    if (touched.has(key(v)) || !settled(s) || !counts.has(s.leader)) continue;
    for (const id of s.isr) {
      if (id === s.leader || !counts.has(id)) continue;
      const skew = (counts.get(s.leader) ?? 0) - (counts.get(id) ?? 0);
      if (skew < skewMin) continue;
      if (!best || skew > best.skew || (skew === best.skew && byCountThenId(counts)(id, best.to) < 0)) best = { shard: v, to: id, skew };
    }
  }
  best ??= chainedLeaderMove(open, touched, counts, skewMin);
  if (!best) return undefined;
  touched.add(key(best.shard));
  bump(counts, best.shard.value.leader, -1);
  bump(counts, best.to, 1);
  return startHandover(keys, best.shard, best.to, 'rebalance leaders', nowMs);
}

/**
 * When no leader can go straight to a node leading skewMin fewer (its
 * shards' in-sync replicas all lead just one fewer), the first step of a
 * two-step chain: L leads s1 with X in sync, X leads s2 with Z in sync,
 * L leads at least skewMin more than Z. X hands s2 to Z (X then leads
 * skewMin fewer than L), and the next pass moves s1 from L to X directly.
 * Over both steps the sum of squared counts drops, so this cannot cycle.
 */
function chainedLeaderMove(open: readonly Shard[], touched: ReadonlySet<string>, counts: ReadonlyMap<string, number>,
  skewMin: number): { shard: Shard; to: string; skew: number } | undefined {
  const movable = open.filter((v) => !touched.has(key(v)) && settled(v.value) && counts.has(v.value.leader));
  let best: { shard: Shard; to: string; skew: number } | undefined;
  for (const s1 of movable) {
    const l = counts.get(s1.value.leader)!;
    for (const x of s1.value.isr) {
      if (x === s1.value.leader || counts.get(x) !== l - 1) continue;
      for (const s2 of movable) {
        if (s2 === s1 || s2.value.leader !== x) continue;
        for (const z of s2.value.isr) {
          const skew = l - (counts.get(z) ?? l);
          if (z === x || !counts.has(z) || skew < skewMin) continue;
          if (!best || skew > best.skew) best = { shard: s2, to: z, skew };
        }
      }
    }
  }
  return best;
}

function key(v: Shard): string {
  return `${v.value.streamId}/${v.value.shardId}`;
}

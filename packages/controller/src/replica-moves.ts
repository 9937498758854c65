/**
 * Re-replication, drain and operator leader moves as pure plans over one
 * shard record (see plans.ts for the CommitPlan contract). Each returns
 * one guarded transaction, a reason to wait, or undefined (nothing to do).
 *
 * A replica is *departing* when its node is drained, or has been missing
 * from nodes/ (lease expired) for longer than the re-replication grace
 * period. Moving a departing replica takes two commits, so that the shard
 * never has fewer in-sync copies than before:
 *   1. add a live node to `replicas` (not to the ISR): a node of the
 *      departing node's AZ if one can take it, else of an AZ that holds no
 *      other replica of the shard. The leader sees the new replica in the
 *      record, sends it the log from its start, and adds it to the ISR
 *      itself (a guarded commit) once it holds everything committed;
 *   2. once at least REPLICATION_FACTOR non-departing replicas are in the
 *      ISR, drop the departing ones from `replicas` and the ISR. The node
 *      then deletes its copy when it sees the record.
 * A drained leader first hands leadership to another live ISR member
 * (handover.ts: appends stop, then the epoch is bumped), because a leader
 * is never dropped from its own shard. Rebalancing (rebalance.ts) moves a
 * replica the same way: it names it in `rebalanceFrom` and adds the
 * replacement in the same commit; from then on that replica is departing
 * for this shard only.
 */
import { limits } from '@shoal/core';
import { isHandingOver, type Keys, type MoveLeaderRequest, type ShardRecord, type Versioned } from '@shoal/metadata';
import { startHandover } from './handover';
import type { LoadTable } from './placement';
import type { PlanOutcome } from './plans';

/** What the move planners need to know about the cluster besides the shard. */
export interface MoveContext {
  /** Live (registered) nodes and their AZs. */
  readonly liveAz: ReadonlyMap<string, string>;
  /** AZ of every node the controller has seen (dead ones too). */
  readonly knownAz: ReadonlyMap<string, string>;
  /** Nodes whose replicas should move away: drained, or missing past the grace period. */
  readonly departing: ReadonlySet<string>;
  /** Drained nodes: they get no new replica and no leadership. */
  readonly drained: ReadonlySet<string>;
  readonly load: LoadTable;
}

function shardName(s: ShardRecord): string {
  return `${s.streamName}/${s.shardId}`;
}

/** The live, non-drained member of `ids` leading the fewest shards (undefined if none). */
export function leastLeading(ids: readonly string[], ctx: Pick<MoveContext, 'liveAz' | 'drained' | 'load'>): string | undefined {
  let best: string | undefined;
  for (const id of ids) {
    if (!ctx.liveAz.has(id) || ctx.drained.has(id)) continue;
    if (best === undefined || (ctx.load.get(id)?.leaders ?? 0) < (ctx.load.get(best)?.leaders ?? 0)) best = id;
  }
  return best;
}

/**
 * The next step of moving this shard's departing replicas (and its
 * leadership off a drained leader), or undefined if none departs. The
 * caller runs planShardRepair first: a dead leader is failed over there.
 */
export function planReplicaMove(keys: Keys, shard: Versioned<ShardRecord>, ctx: MoveContext, nowMs: number): PlanOutcome | undefined {
  const s = shard.value;
  const departs = (id: string): boolean => ctx.departing.has(id) || id === s.rebalanceFrom;
  if (!s.replicas.some(departs)) return planSurplusDrop(keys, shard, ctx);
  if (isHandingOver(s)) return undefined; // planHandover completes or aborts it first
  const aborted = planRebalanceAbort(keys, shard, ctx);
  if (aborted) return aborted;
  if (departs(s.leader)) {
    if (!ctx.liveAz.has(s.leader)) return undefined; // failover (planShardRepair) comes first
    const to = leastLeading(s.isr.filter((id) => id !== s.leader && !departs(id)), ctx);
    if (!to) return { kind: 'wait', why: `${shardName(s)}: leader ${s.leader} is departing but no other live replica is in sync` };
    return startHandover(keys, shard, to, ctx.departing.has(s.leader) ? 'drain' : 'rebalance', nowMs);
  }
  const staying = s.replicas.filter((id) => !departs(id));
  const key = keys.shard(s.streamId, s.shardId);
  const compare = [{ key, modRevision: shard.modRevision }];
  if (staying.length < limits.REPLICATION_FACTOR) {
    const target = replacementFor(s, staying, ctx);
    if (typeof target !== 'string') return { kind: 'wait', why: `${shardName(s)}: no node to re-replicate to (${target.why})` };
    const l = ctx.load.get(target);
    if (l) l.replicas++;
    const value: ShardRecord = { ...s, replicas: [...s.replicas, target] };
    return { kind: 'commit', plan: { reason: `re-replicate ${shardName(s)}: add replica ${target}`, compare, puts: [{ key, value }], deletes: [] } };
  }
  const inSync = staying.filter((id) => s.isr.includes(id));
  if (inSync.length < limits.REPLICATION_FACTOR) {
    const behind = staying.filter((id) => !s.isr.includes(id));
    return { kind: 'wait', why: `${shardName(s)}: waiting for ${behind.join(',')} to catch up before dropping departing replicas` };
  }
  const gone = s.replicas.filter(departs);
  const { rebalanceFrom: _from, ...rest } = s;
  const value: ShardRecord = { ...rest, replicas: staying, isr: s.isr.filter((id) => !departs(id)) };
  return { kind: 'commit', plan: { reason: `re-replicate ${shardName(s)}: drop replica ${gone.join(',')}`, compare, puts: [{ key, value }], deletes: [] } };
}

/**
 * A rebalance whose replacement replica died or was drained before it
 * caught up is called off: the replacement leaves, the moving replica
 * stays (the planner may try again later with another node).
 */
function planRebalanceAbort(keys: Keys, shard: Versioned<ShardRecord>, ctx: MoveContext): PlanOutcome | undefined {
  const s = shard.value;
  const from = s.rebalanceFrom;
  if (from === undefined || ctx.departing.has(from)) return undefined;
  const az = ctx.knownAz.get(from);
  const replacement = s.replicas.find((id) => id !== from && ctx.knownAz.get(id) === az);
  if (replacement !== undefined && ctx.liveAz.has(replacement) && !ctx.drained.has(replacement)) return undefined;
  const { rebalanceFrom: _from, ...rest } = s;
  const value: ShardRecord = replacement === undefined ? rest
    : { ...rest, replicas: s.replicas.filter((id) => id !== replacement), isr: s.isr.filter((id) => id !== replacement) };
  const key = keys.shard(s.streamId, s.shardId);
  return { kind: 'commit', plan: { reason: `abort rebalance of ${shardName(s)}: replacement ${replacement ?? '?'} is gone or drained`, compare: [{ key, modRevision: shard.modRevision }], puts: [{ key, value }], deletes: [] } };
}

/**
 * A node that came back after its replacement was added leaves the shard
 * with two replicas in one AZ: drop one that is not the leader, preferring
 * one outside the ISR, then the one added last.
 */
function planSurplusDrop(keys: Keys, shard: Versioned<ShardRecord>, ctx: MoveContext): PlanOutcome | undefined {
  const s = shard.value;
  if (s.replicas.length <= limits.REPLICATION_FACTOR) return undefined;
  const azCount = new Map<string, number>();
  for (const id of s.replicas) {
    const az = ctx.knownAz.get(id);
    if (az === undefined) return undefined;
    azCount.set(az, (azCount.get(az) ?? 0) + 1);
  }
  const doubled = s.replicas.filter((id) => id !== s.leader && azCount.get(ctx.knownAz.get(id)!)! > 1);
  const victim = [...doubled].reverse().find((id) => !s.isr.includes(id)) ?? doubled[doubled.length - 1];
  if (victim === undefined) return undefined;
  const key = keys.shard(s.streamId, s.shardId);
  const value: ShardRecord = { ...s, replicas: s.replicas.filter((id) => id !== victim), isr: s.isr.filter((id) => id !== victim) };
  return { kind: 'commit', plan: { reason: `re-replicate ${shardName(s)}: drop surplus replica ${victim}`, compare: [{ key, modRevision: shard.modRevision }], puts: [{ key, value }], deletes: [] } };
}

/**
 * A live, non-drained node that holds no replica of the shard, in an AZ no
 * staying replica uses; a node of a departing replica's AZ first, then the
 * one with the fewest replicas, then by id.
 */
function replacementFor(s: ShardRecord, staying: readonly string[], ctx: MoveContext): string | { why: string } {
  const usedAzs = new Set<string>();
  for (const id of staying) {
    const az = ctx.knownAz.get(id);
    if (az === undefined) return { why: `AZ of replica ${id} unknown` };
    usedAzs.add(az);
  }
  const preferredAzs = new Set(s.replicas.filter((id) => ctx.departing.has(id)).map((id) => ctx.knownAz.get(id)));
  let best: string | undefined;
  const rank = (id: string): [number, number, string] => [preferredAzs.has(ctx.liveAz.get(id)) ? 0 : 1, ctx.load.get(id)?.replicas ?? 0, id];
  for (const [id, az] of ctx.liveAz) {
    if (s.replicas.includes(id) || ctx.drained.has(id) || usedAzs.has(az)) continue;
    if (best === undefined || compareRank(rank(id), rank(best)) < 0) best = id;
  }
  return best ?? { why: 'no live node in an AZ without a replica of the shard' };
}

function compareRank(a: [number, number, string], b: [number, number, string]): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/**
 * An operator's move-leader request: executed (handover to the target
 * started and request deleted, one commit; handover.ts completes it) only
 * if the target is a live ISR member;
 * otherwise the request is written back with `refused` set. Already
 * refused requests wait for the CLI to delete them (undefined).
 */
export function planMoveLeader(keys: Keys, request: Versioned<MoveLeaderRequest>, shard: Versioned<ShardRecord> | undefined,
  ctx: Pick<MoveContext, 'liveAz'>, nowMs: number): PlanOutcome | undefined {
  const r = request.value;
  if (r.refused !== undefined) return undefined;
  const requestKey = keys.moveLeaderRequest(r.streamId, r.shardId);
  const requestCompare = { key: requestKey, modRevision: request.modRevision };
  const refuse = (why: string): PlanOutcome => ({
    kind: 'commit',
    plan: { reason: `refuse move-leader ${r.shardId} -> ${r.to}: ${why}`, compare: [requestCompare], puts: [{ key: requestKey, value: { ...r, refused: why } }], deletes: [] },
  });
  if (!shard) return refuse('no such shard');
  const s = shard.value;
  if (s.leader === r.to) {
    return { kind: 'commit', plan: { reason: `move-leader ${shardName(s)}: ${r.to} already leads`, compare: [requestCompare], puts: [], deletes: [requestKey] } };
  }
  if (!s.isr.includes(r.to)) return refuse(`${r.to} is not in the ISR [${s.isr.join(',')}]`);
  if (!ctx.liveAz.has(r.to)) return refuse(`${r.to} is not registered (down)`);
  if (isHandingOver(s)) return { kind: 'wait', why: `move-leader ${shardName(s)}: a handover to ${s.handoverTo} is in progress` };
  return startHandover(keys, shard, r.to, 'move-leader', nowMs, [requestKey], [requestCompare]);
}

/**
 * The controller's transitions as pure functions of the cluster view: each
 * returns the etcd operations of one transaction (a CommitPlan) guarded by
 * the mod revisions it read, or says why nothing can be done yet. The
 * controller commits a plan as is; a lost race means the view was stale,
 * and the next pass computes again from the newer view.
 */
import { evenHashKeyRanges, shardIdFromIndex, startingSequenceNumber } from '@shoal/core';
import type { ClusterView, Keys, ShardRecord, StreamRecord, Versioned } from '@shoal/metadata';
import { SHARDS_PER_COMMIT_MAX } from './controller-limits';
import { loadOf, placeShards, placementBlocker, type LoadTable } from './placement';
import { withoutHandover } from './handover';
import { planStreamConsumersDeletion } from './consumer-plans';

/** One guarded etcd transaction (see MetadataStore.commit). */
export interface CommitPlan {
  /** What the commit does, for logs. */
  readonly reason: string;
  readonly compare: ReadonlyArray<{ key: string; modRevision: string }>;
  readonly puts: ReadonlyArray<{ key: string; value: unknown }>;
  readonly deletes: readonly string[];
  /** The reshard round state this commit moves a round to (docs/resharding.md); absent for other commits. */
  readonly roundState?: RoundState;
}

/** Controller-written states of a reshard round. */
export type RoundState = 'closing' | 'done' | 'rolled-back';

export type PlanOutcome =
  | { readonly kind: 'commit'; readonly plan: CommitPlan }
  | { readonly kind: 'wait'; readonly why: string };

/** Every shard record of the view. */
export function allShards(view: ClusterView): ShardRecord[] {
  const out: ShardRecord[] = [];
  for (const m of view.shards.values()) for (const s of m.values()) out.push(s.value);
  return out;
}

/**
 * A shard whose replicas are not all open yet: some live member of its ISR
 * has not reported acting on the shard record (schema.ts NodeApplied).
 * Members that are not registered do not count; failover deals with them.
 */
function replicasOpening(view: ClusterView, shard: Versioned<ShardRecord>): string | undefined {
  return shard.value.isr.find((id) => view.nodes.has(id) && !view.hasApplied(id, shard.modRevision));
}

/**
 * CREATING -> ACTIVE: writes the stream's missing shard records (at most
 * SHARDS_PER_COMMIT_MAX per commit); once all are written and every live
 * ISR member has opened its replica (so the first put finds its shard
 * ready, as AWS means by ACTIVE), the stream as ACTIVE with nextShardIndex
 * past its shards.
 */
export function planStreamCreation(view: ClusterView, keys: Keys, stream: Versioned<StreamRecord>, nowMs: number): PlanOutcome {
  const s = stream.value;
  const count = s.initialShardCount;
  const base = s.nextShardIndex;
  const missing: number[] = [];
  for (let i = 0; i < count; i++) {
    if (!view.shard(s.streamId, shardIdFromIndex(base + i))) missing.push(i);
  }
  if (missing.length === 0) return planStreamActivation(view, keys, stream);
  // Drained nodes get no new replicas.
  const nodes = [...view.nodes.values()].filter((n) => !view.drains.has(n.nodeId));
  const blocker = placementBlocker(nodes);
  if (blocker) return { kind: 'wait', why: blocker };
  const batch = missing.slice(0, SHARDS_PER_COMMIT_MAX);
  const ranges = batch.length > 0 ? evenHashKeyRanges(count) : [];
  const placements = placeShards(nodes, loadOf(nodes, allShards(view)), batch.length);
  // Every first shard of the stream has the stream's creation second in its sequence numbers.
  const createdSecs = Math.floor(s.createdMs / 1000);
  const puts: Array<{ key: string; value: unknown }> = [];
  const compare: Array<{ key: string; modRevision: string }> = [{ key: keys.stream(s), modRevision: stream.modRevision }];
  batch.forEach((i, n) => {
    const shardIndex = base + i;
    const shardId = shardIdFromIndex(shardIndex);
    const placement = placements[n]!;
    const shard: ShardRecord = {
      streamId: s.streamId,
      streamName: s.streamName,
      shardId,
      shardIndex,
      hashKeyStart: ranges[i]!.start.toString(),
      hashKeyEnd: ranges[i]!.end.toString(),
      startingSequenceNumber: startingSequenceNumber(createdSecs, shardIndex),
      createdMs: nowMs,
      replicas: placement.replicas,
      leader: placement.leader,
      epoch: 1,
      isr: placement.replicas,
    };
    const key = keys.shard(s.streamId, shardId);
    compare.push({ key, modRevision: '0' });
    puts.push({ key, value: shard });
  });
  const reason = `create ${batch.length} of ${count} shards of ${s.streamName}`;
  return { kind: 'commit', plan: { reason, compare, puts, deletes: [] } };
}

/** The last step of planStreamCreation: every shard written; ACTIVE once their replicas are open. */
function planStreamActivation(view: ClusterView, keys: Keys, stream: Versioned<StreamRecord>): PlanOutcome {
  const s = stream.value;
  const base = s.nextShardIndex;
  for (let i = 0; i < s.initialShardCount; i++) {
    const shard = view.shard(s.streamId, shardIdFromIndex(base + i))!;
    // One reason for the whole wait (the controller logs each new reason once).
    if (replicasOpening(view, shard)) return { kind: 'wait', why: 'the nodes are opening its replicas' };
  }
  const active: StreamRecord = { ...s, status: 'ACTIVE', nextShardIndex: base + s.initialShardCount };
  return {
    kind: 'commit',
    plan: { reason: `${s.streamName}: every replica open, set ACTIVE`, compare: [{ key: keys.stream(s), modRevision: stream.modRevision }], puts: [{ key: keys.stream(s), value: active }], deletes: [] },
  };
}

/**
 * DELETING -> gone: deletes the stream's registered consumers (one commit),
 * then its shard records (at most SHARDS_PER_COMMIT_MAX per commit) and,
 * with the last of them, the stream.
 */
export function planStreamDeletion(view: ClusterView, keys: Keys, stream: Versioned<StreamRecord>): CommitPlan {
  const consumers = planStreamConsumersDeletion(view, keys, stream);
  if (consumers) return consumers;
  const s = stream.value;
  const shards = view.shardsOf(s.streamId);
  const batch = shards.slice(0, SHARDS_PER_COMMIT_MAX);
  const deletes = batch.map((sh) => keys.shard(s.streamId, sh.value.shardId));
  const done = shards.length === batch.length;
  if (done) deletes.push(keys.stream(s));
  return {
    reason: `delete ${batch.length} shards of ${s.streamName}${done ? ' and the stream' : ''}`,
    compare: [{ key: keys.stream(s), modRevision: stream.modRevision }],
    puts: [],
    deletes,
  };
}

/**
 * Failover and ISR shrink of one shard against the live nodes:
 * - the leader is gone: the live ISR member leading the fewest shards
 *   becomes leader, the epoch is bumped, and the dead members leave the ISR
 *   (even if one live member remains: min-ISR then refuses writes at the
 *   node, which is safer than electing a replica that may lack records);
 * - only followers are gone: they leave the ISR, the epoch stays;
 * - no ISR member is live: nothing can be done safely (wait).
 * Returns undefined if the shard needs nothing.
 */
export function planShardRepair(keys: Keys, shard: Versioned<ShardRecord>, live: ReadonlySet<string>, load: LoadTable,
  drained: ReadonlySet<string> = new Set()): PlanOutcome | undefined {
  const s = shard.value;
  const liveIsr = s.isr.filter((id) => live.has(id));
  const leaderLive = live.has(s.leader);
  if (leaderLive && liveIsr.length === s.isr.length) return undefined;
  const key = keys.shard(s.streamId, s.shardId);
  const compare = [{ key, modRevision: shard.modRevision }];
  if (leaderLive) {
    const value: ShardRecord = { ...s, isr: liveIsr };
    const gone = s.isr.filter((id) => !live.has(id));
    return { kind: 'commit', plan: { reason: `shrink isr of ${s.streamName}/${s.shardId}: remove ${gone.join(',')}`, compare, puts: [{ key, value }], deletes: [] } };
  }
  if (liveIsr.length === 0) return { kind: 'wait', why: `${s.streamName}/${s.shardId}: leader ${s.leader} is gone and no in-sync replica is live` };
  // A drained member leads only if no other live member is in sync.
  const candidates = liveIsr.some((id) => !drained.has(id)) ? liveIsr.filter((id) => !drained.has(id)) : liveIsr;
  let leader = candidates[0]!;
  for (const id of candidates) {
    if ((load.get(id)?.leaders ?? 0) < (load.get(leader)?.leaders ?? 0)) leader = id;
  }
  const l = load.get(leader);
  if (l) l.leaders++;
  const value: ShardRecord = { ...withoutHandover(s), leader, epoch: s.epoch + 1, isr: liveIsr };
  const reason = `failover ${s.streamName}/${s.shardId}: leader ${s.leader} -> ${leader}, epoch ${value.epoch}, isr ${liveIsr.join(',')}`;
  return { kind: 'commit', plan: { reason, compare, puts: [{ key, value }], deletes: [] } };
}

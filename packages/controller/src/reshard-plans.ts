/**
 * Split/merge rounds as pure plans over the cluster view (the CommitPlan
 * contract of plans.ts). A round recorded in `stream.reshard` moves
 * through these states, each reached by one guarded commit
 * (docs/resharding.md):
 *
 *   requested   the round is in the stream record (api or controller wrote it)
 *   closing     the controller set `closing` on every parent; each parent's
 *               leader stops appending and writes `sealedLogEnd` itself
 *   done        every parent sealed: in ONE commit the parents get their
 *               EndingSequenceNumber, the children are written, the round
 *               is removed from the stream and nextShardIndex moves on
 *   rolled back a round not done within the timeout (or no longer valid):
 *               parents lose `closing`/`sealedLogEnd` and take writes again,
 *               the round (and any UpdateShardCount target) is dropped
 *
 * A controller that dies between any two commits leaves a state the next
 * one recognises from the records alone and continues from.
 */
import {
  applyReshardSteps, checkReshardSteps, decodeSequenceNumber, encodeSequenceNumber, shardIdFromIndex, startingSequenceNumber, type ReshardStep, type ShardRange,
} from '@shoal/core';
import { type ClusterView, isClosedShard, isClosing, isOpenShard, isSealed, type Keys, type ReshardRecord, type ShardRecord, type StreamRecord, type Versioned } from '@shoal/metadata';
import { allShards, type PlanOutcome } from './plans';
import { loadOf, placeShards, placementBlocker } from './placement';

/** A shard record as a shard-map range; closing shards still count as open (they own their range until done). */
export function rangeOf(s: ShardRecord): ShardRange {
  return { shardId: s.shardId, start: BigInt(s.hashKeyStart), end: BigInt(s.hashKeyEnd), open: isOpenShard(s) };
}

/** Steps of a recorded round in core's form. */
function stepsOf(r: ReshardRecord): ReshardStep[] {
  return r.steps.map((st) => ({ parents: st.parents, children: st.children.map((c) => ({ start: BigInt(c.hashKeyStart), end: BigInt(c.hashKeyEnd) })) }));
}

/** A round in the schema's form (decimal strings). */
function reshardRecord(cause: ReshardRecord['cause'], steps: readonly ReshardStep[], nowMs: number): ReshardRecord {
  return {
    cause, requestedMs: nowMs,
    steps: steps.map((st) => ({ parents: [...st.parents], children: st.children.map((c) => ({ hashKeyStart: c.start.toString(), hashKeyEnd: c.end.toString() })) })),
  };
}

/** The creation second a shard's sequence numbers carry (its StartingSequenceNumber's; its createdMs for a number of another layout). */
function createdSecsOf(shard: ShardRecord): number {
  return decodeSequenceNumber(shard.startingSequenceNumber)?.shardCreatedSecs ?? Math.floor(shard.createdMs / 1000);
}

/** The next commit of the stream's round in progress, a reason to wait, or undefined (leaders are sealing). */
export function planReshardProgress(view: ClusterView, keys: Keys, stream: Versioned<StreamRecord>, nowMs: number, timeoutMs: number): PlanOutcome | undefined {
  const s = stream.value;
  const round = s.reshard;
  if (!round) return undefined;
  const shards = view.shardsOf(s.streamId);
  const ids = round.steps.flatMap((st) => st.parents);
  const parents = ids.map((id) => view.shard(s.streamId, id));
  const invalid = checkReshardSteps(shards.map((v) => rangeOf(v.value)), stepsOf(round));
  if (invalid !== undefined) return rollback(keys, stream, parents, `invalid round: ${invalid}`);
  const present = parents as Versioned<ShardRecord>[];
  const notClosing = present.filter((p) => !isClosing(p.value));
  if (notClosing.length > 0) {
    const compare = [{ key: keys.stream(s), modRevision: stream.modRevision }, ...notClosing.map((p) => ({ key: keys.shard(s.streamId, p.value.shardId), modRevision: p.modRevision }))];
    const puts = notClosing.map((p) => ({ key: keys.shard(s.streamId, p.value.shardId), value: { ...p.value, closing: true } satisfies ShardRecord }));
    return { kind: 'commit', plan: { reason: `reshard ${s.streamName} (${round.cause}): closing ${notClosing.map((p) => p.value.shardId).join(',')}`, compare, puts, deletes: [], roundState: 'closing' } };
  }
  const expired = nowMs - round.requestedMs > timeoutMs;
  if (present.some((p) => !isSealed(p.value))) {
    return expired ? rollback(keys, stream, parents, `parents not sealed within ${timeoutMs} ms`) : undefined;
  }
  const done = planCompletion(view, keys, stream, present, nowMs);
  if (done.kind === 'wait' && expired) return rollback(keys, stream, parents, done.why);
  return done;
}

/** Every parent sealed: close them, write the children, drop the round (one commit). */
function planCompletion(view: ClusterView, keys: Keys, stream: Versioned<StreamRecord>, parents: readonly Versioned<ShardRecord>[], nowMs: number): PlanOutcome {
  const s = stream.value;
  const round = s.reshard!;
  const nodes = [...view.nodes.values()].filter((n) => !view.drains.has(n.nodeId));
  const blocker = placementBlocker(nodes);
  if (blocker) return { kind: 'wait', why: `${s.streamName}: cannot place the children: ${blocker}` };
  const steps = stepsOf(round);
  const childCount = steps.reduce((n, st) => n + st.children.length, 0);
  const base = s.nextShardIndex;
  // Asserts the open shards still tile the hash space afterwards (throws on a bug).
  applyReshardSteps(view.shardsOf(s.streamId).map((v) => rangeOf(v.value)), steps, (i) => shardIdFromIndex(base + i));
  // Place by the load after this commit: the parents close in it (counting them would tilt every round's
  // children away from the parents' leaders, and rebalancing would then hand leaderships over to undo it).
  const closingIds = new Set(parents.map((p) => p.value.shardId));
  const after = allShards(view).filter((r) => r.streamId !== s.streamId || !closingIds.has(r.shardId));
  const placements = placeShards(nodes, loadOf(nodes, after), childCount);
  const nowSecs = Math.floor(nowMs / 1000);
  // Children are created a second after their newest parent at least, so all their sequence numbers are greater.
  const childSecs = Math.max(nowSecs, ...parents.map((p) => createdSecsOf(p.value) + 1));
  const compare = [{ key: keys.stream(s), modRevision: stream.modRevision }];
  const puts: Array<{ key: string; value: unknown }> = [];
  for (const p of parents) {
    const key = keys.shard(s.streamId, p.value.shardId);
    const lastOffset = Math.max(0, (p.value.sealedLogEnd ?? 0) - 1);
    // The last record's offset, stamped with the close time (no record of the shard arrived later).
    const createdSecs = createdSecsOf(p.value);
    const endingSequenceNumber = encodeSequenceNumber({ shardCreatedSecs: createdSecs, shardIndex: p.value.shardIndex, offset: BigInt(lastOffset), arrivalSecs: Math.max(nowSecs, createdSecs) });
    const closed: ShardRecord = { ...p.value, endingSequenceNumber, closedMs: nowMs };
    compare.push({ key, modRevision: p.modRevision });
    puts.push({ key, value: closed });
  }
  let i = 0;
  for (const st of steps) {
    for (const c of st.children) {
      const shardIndex = base + i;
      const placement = placements[i++]!;
      const child: ShardRecord = {
        streamId: s.streamId, streamName: s.streamName, shardId: shardIdFromIndex(shardIndex), shardIndex,
        hashKeyStart: c.start.toString(), hashKeyEnd: c.end.toString(),
        ...(st.parents[0] !== undefined ? { parentShardId: st.parents[0] } : {}),
        ...(st.parents[1] !== undefined ? { adjacentParentShardId: st.parents[1] } : {}),
        startingSequenceNumber: startingSequenceNumber(childSecs, shardIndex),
        createdMs: nowMs, replicas: placement.replicas, leader: placement.leader, epoch: 1, isr: placement.replicas,
      };
      const key = keys.shard(s.streamId, child.shardId);
      compare.push({ key, modRevision: '0' });
      puts.push({ key, value: child });
    }
  }
  // An UPDATING stream stays so: the next round (UpdateShardCount) or planSettleUpdate, once the stream has been UPDATING
  // for STREAM_UPDATING_MS, makes it ACTIVE.
  const next: StreamRecord = { ...s, reshard: undefined, nextShardIndex: base + childCount, lastReshardMs: nowMs };
  puts.push({ key: keys.stream(s), value: next });
  const reason = `reshard ${s.streamName} (${round.cause}): closed ${parents.map((p) => p.value.shardId).join(',')}, opened ${childCount} children from index ${base}`;
  return { kind: 'commit', plan: { reason, compare, puts, deletes: [], roundState: 'done' } };
}

/** Reopens the parents and drops the round (and an UpdateShardCount target). */
function rollback(keys: Keys, stream: Versioned<StreamRecord>, parents: ReadonlyArray<Versioned<ShardRecord> | undefined>, why: string): PlanOutcome {
  const s = stream.value;
  const compare = [{ key: keys.stream(s), modRevision: stream.modRevision }];
  const puts: Array<{ key: string; value: unknown }> = [];
  for (const p of parents) {
    if (!p || isClosedShard(p.value) || (!isClosing(p.value) && !isSealed(p.value))) continue;
    const key = keys.shard(s.streamId, p.value.shardId);
    const { closing: _closing, sealedLogEnd: _sealed, ...reopened } = p.value;
    compare.push({ key, modRevision: p.modRevision });
    puts.push({ key, value: reopened });
  }
  const next: StreamRecord = { ...s, reshard: undefined, targetShardCount: undefined, status: s.status === 'UPDATING' ? 'ACTIVE' : s.status };
  puts.push({ key: keys.stream(s), value: next });
  return { kind: 'commit', plan: { reason: `reshard ${s.streamName}: rolled back (${why})`, compare, puts, deletes: [], roundState: 'rolled-back' } };
}

/** Starts a round (or, with no steps, clears a reached UpdateShardCount target: planSettleUpdate then makes the stream ACTIVE). */
export function planRoundStart(keys: Keys, stream: Versioned<StreamRecord>, cause: ReshardRecord['cause'], steps: readonly ReshardStep[], nowMs: number): PlanOutcome {
  const s = stream.value;
  const compare = [{ key: keys.stream(s), modRevision: stream.modRevision }];
  if (steps.length === 0) {
    const next: StreamRecord = { ...s, targetShardCount: undefined };
    return { kind: 'commit', plan: { reason: `${s.streamName}: reached ${s.targetShardCount} shards`, compare, puts: [{ key: keys.stream(s), value: next }], deletes: [] } };
  }
  const next: StreamRecord = { ...s, reshard: reshardRecord(cause, steps, nowMs) };
  const what = steps.map((st) => (st.parents.length === 1 ? `split ${st.parents[0]}` : `merge ${st.parents.join('+')}`)).join(', ');
  return { kind: 'commit', plan: { reason: `reshard ${s.streamName} (${cause}): ${what}`, compare, puts: [{ key: keys.stream(s), value: next }], deletes: [] } };
}

/**
 * UPDATING -> ACTIVE for a stream with no round and no target in progress:
 * a reshard that is done, or a settings change (Start/StopStreamEncryption)
 * that, as in Kinesis, only passes the stream through UPDATING. The
 * controller commits it once the stream has been UPDATING for
 * STREAM_UPDATING_MS.
 */
export function planSettleUpdate(keys: Keys, stream: Versioned<StreamRecord>): PlanOutcome {
  const s = stream.value;
  const compare = [{ key: keys.stream(s), modRevision: stream.modRevision }];
  return { kind: 'commit', plan: { reason: `${s.streamName}: update applied, ACTIVE`, compare, puts: [{ key: keys.stream(s), value: { ...s, status: 'ACTIVE' } }], deletes: [] } };
}

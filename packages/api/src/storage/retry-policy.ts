/**
 * One retry policy for every call the api makes on a storage node, the
 * write path (put-entries.ts) and the read path (read-from-leader.ts)
 * alike: a table from what the call came back with to what to do next.
 *
 *   done      an answer: use it (OK, or an error the caller maps to Kinesis)
 *   reroute   provably not done (the node is not the leader, does not hold
 *             the shard, or the call never left because the leader is not
 *             registered): try again on the leader the view names once the
 *             routing (the shard record, its leader's registration) changed
 *             from what the attempt used, bounded in attempts and waits
 *   closed    not appended, the shard is being sealed by a reshard: reroute
 *             to its children without using up an attempt (bounded)
 *   fail      the outcome is unknown (an append that timed out or broke at
 *             the transport may have been written) or refused: fail, never
 *             retry, so the api never writes a record twice
 *
 * Reads change nothing, so a read that broke at the transport is rerouted;
 * an append that did is not.
 */
import type { ErrorCode__Output } from '@shoal/wire';
import type { ClusterView } from '@shoal/metadata';
import type { OperationContext } from '../operation';

export type CallOutcome = ErrorCode__Output | 'UNREGISTERED' | 'TRANSPORT';
export type RetryAction = 'done' | 'reroute' | 'closed' | 'fail';

export const RETRY_POLICY: Readonly<Record<'append' | 'read', Readonly<Record<CallOutcome, RetryAction>>>> = {
  append: {
    OK: 'done', NOT_LEADER: 'reroute', SHARD_NOT_FOUND: 'reroute', STALE_EPOCH: 'reroute', UNREGISTERED: 'reroute', SHARD_CLOSED: 'closed',
    NOT_ENOUGH_REPLICAS: 'fail', TIMEOUT: 'fail', INTERNAL: 'fail', TRANSPORT: 'fail', THROTTLED: 'fail', OUT_OF_RANGE: 'fail', LOG_MISMATCH: 'fail',
    TOO_MANY_SUBSCRIPTIONS: 'fail',
  },
  read: {
    OK: 'done', NOT_LEADER: 'reroute', SHARD_NOT_FOUND: 'reroute', STALE_EPOCH: 'reroute', UNREGISTERED: 'reroute', TRANSPORT: 'reroute',
    SHARD_CLOSED: 'done', NOT_ENOUGH_REPLICAS: 'done', TIMEOUT: 'done', INTERNAL: 'done', THROTTLED: 'done', OUT_OF_RANGE: 'done', LOG_MISMATCH: 'done',
    TOO_MANY_SUBSCRIPTIONS: 'done',
  },
};

/** Attempts per call (records, reads) before it fails. */
export const ATTEMPTS_MAX = 3;
/** Longest wait for the routing to change between attempts. */
export const RETRY_VIEW_WAIT_MS = 1_000;

/**
 * What routing to a shard depended on: the record's revision, whether its
 * leader is registered and whether the leader has opened the shard (a new
 * shard's leader answers SHARD_NOT_FOUND until it reports the record
 * applied, schema.ts NodeApplied; the retry goes as soon as it does).
 */
export function shardRouting(view: ClusterView, streamId: string, shardId: string): string {
  const record = view.shard(streamId, shardId);
  if (!record) return `${shardId}:-`;
  const leader = record.value.leader;
  return `${shardId}:${record.modRevision}:${view.nodes.has(leader)}:${view.hasApplied(leader, record.modRevision)}`;
}

/**
 * Waits (bounded) until `signature(view)` differs from `before`, what the
 * attempt was routed with: returns at once if it already changed while the
 * attempt was in flight. No change in time: the next attempt goes anyway
 * (a leader may have come back).
 */
export async function waitForRoutingChange(ctx: OperationContext, signature: (view: ClusterView) => string, before: string): Promise<void> {
  try {
    await ctx.metadata.waitFor((view) => signature(view) !== before, RETRY_VIEW_WAIT_MS);
  } catch {
    // No change in time.
  }
}

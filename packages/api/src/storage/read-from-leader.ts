/**
 * Calls a shard leader for an idempotent request (Read, Seek) under the
 * retry policy (retry-policy.ts): a call the node refused as not its own
 * (NOT_LEADER, ...), that could not be sent (leader not registered) or that
 * broke at the transport goes again to the leader the view names once the
 * shard's routing changed from what the attempt used (bounded wait), so a
 * deposed leader that is still registered is not asked again at once.
 */
import type { KinesisError } from '@shoal/core';
import type { ShardRecord } from '@shoal/metadata';
import type { ErrorCode__Output } from '@shoal/wire';
import type { OperationContext } from '../operation';
import { ATTEMPTS_MAX, RETRY_POLICY, shardRouting, waitForRoutingChange, type CallOutcome } from './retry-policy';
import { internalFailure, serviceUnavailable } from '../kinesis-errors';

/**
 * Runs `call(shard)` against the current record of the shard until the
 * policy says its answer is final; returns that answer. ResourceNotFound
 * (from `notFound`) if the shard leaves the view; ServiceUnavailable when
 * attempts run out.
 */
export async function callShardLeader<R extends { error: ErrorCode__Output }>(
  ctx: OperationContext, streamId: string, shardId: string, notFound: () => KinesisError, call: (shard: ShardRecord) => Promise<R>,
): Promise<R> {
  let lastProblem = 'no attempt';
  for (let attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
    const record = ctx.view.shard(streamId, shardId);
    if (!record) throw notFound();
    const routedWith = shardRouting(ctx.view, streamId, shardId);
    const shard = record.value;
    let outcome: CallOutcome = 'UNREGISTERED';
    if (ctx.view.nodes.has(shard.leader)) {
      try {
        const response = await call(shard);
        if (RETRY_POLICY.read[response.error] === 'done') return response;
        outcome = response.error;
      } catch (err) {
        outcome = 'TRANSPORT';
        lastProblem = err instanceof Error ? err.message : String(err);
      }
    }
    if (outcome !== 'TRANSPORT') lastProblem = outcome === 'UNREGISTERED' ? `leader ${shard.leader} not registered` : outcome;
    if (attempt === ATTEMPTS_MAX) break;
    await waitForRoutingChange(ctx, (view) => shardRouting(view, streamId, shardId), routedWith);
  }
  ctx.logger.warn('shard leader unreachable', { streamId, shardId, problem: lastProblem });
  throw serviceUnavailable();
}

/** The Kinesis error for a storage code that is not OK and not handled by the caller. */
export function storageFailure(error: ErrorCode__Output): KinesisError {
  return error === 'NOT_ENOUGH_REPLICAS'
    ? serviceUnavailable()
    : internalFailure();
}

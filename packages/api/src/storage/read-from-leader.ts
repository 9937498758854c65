/**
 * Calls a shard leader for an idempotent request (Read, Seek), retrying on
 * the leader the view names next when the node is not (or no longer) the
 * leader or cannot be reached. Reads change nothing, so retrying them is
 * always safe; attempts and waits are bounded as for appends.
 */
import { KinesisError } from '@shoal/core';
import type { ShardRecord } from '@shoal/metadata';
import type { ErrorCode__Output } from '@shoal/wire';
import type { OperationContext } from '../operation';
import { APPEND_ATTEMPTS_MAX, RETRY_VIEW_WAIT_MS } from './put-entries';

/** Codes after which another attempt (maybe on another leader) may succeed. */
const RETRYABLE: ReadonlySet<ErrorCode__Output> = new Set<ErrorCode__Output>(['NOT_LEADER', 'SHARD_NOT_FOUND', 'STALE_EPOCH']);

/**
 * Runs `call(shard)` against the current record of the shard until it
 * answers something other than a retryable code; returns that answer.
 * ResourceNotFoundException if the shard leaves the view; InternalFailure or
 * ServiceUnavailable when attempts run out.
 */
export async function callShardLeader<R extends { error: ErrorCode__Output }>(
  ctx: OperationContext, streamId: string, shardId: string, notFound: () => KinesisError, call: (shard: ShardRecord) => Promise<R>,
): Promise<R> {
  let lastProblem = 'no attempt';
  for (let attempt = 1; attempt <= APPEND_ATTEMPTS_MAX; attempt++) {
    const record = ctx.view.shard(streamId, shardId);
    if (!record) throw notFound();
    const shard = record.value;
    if (ctx.view.nodes.has(shard.leader)) {
      try {
        const response = await call(shard);
        if (!RETRYABLE.has(response.error)) return response;
        lastProblem = response.error;
      } catch (err) {
        lastProblem = err instanceof Error ? err.message : String(err);
      }
    } else {
      lastProblem = `leader ${shard.leader} not registered`;
    }
    if (attempt === APPEND_ATTEMPTS_MAX) break;
    try {
      await ctx.metadata.waitFor((view) => view.shard(streamId, shardId)?.modRevision !== record.modRevision || view.nodes.has(shard.leader), RETRY_VIEW_WAIT_MS);
    } catch {
      // No change in time; the next attempt may still find the leader back.
    }
  }
  ctx.logger.warn('shard leader unreachable', { streamId, shardId, problem: lastProblem });
  throw new KinesisError('ServiceUnavailable', 'Service unavailable.');
}

/** The Kinesis error for a storage code that is not OK and not handled by the caller. */
export function storageFailure(error: ErrorCode__Output): KinesisError {
  return error === 'NOT_ENOUGH_REPLICAS'
    ? new KinesisError('ServiceUnavailable', 'Service unavailable.')
    : new KinesisError('InternalFailure', 'Internal service failure.');
}

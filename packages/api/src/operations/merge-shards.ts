/**
 * MergeShards: records a one-step reshard round (status UPDATING); the
 * controller closes both parents, waits until both are sealed and opens
 * the child with ParentShardId = ShardToMerge and AdjacentParentShardId =
 * AdjacentShardToMerge. The two must be open and adjacent (either order).
 */
import { KinesisError, normaliseShardId, MERGE_SHARDS, type MergeShardsInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { commitStreamUpdate, openShardOf, requireProvisioned } from './stream-update';

async function execute(ctx: OperationContext, input: MergeShardsInput): Promise<OperationOutput> {
  const stream = resolveActiveStream(ctx, input);
  const s = stream.value;
  requireProvisioned(ctx, s, 'MergeShards');
  const a = openShardOf(ctx, s, normaliseShardId(input.ShardToMerge) ?? input.ShardToMerge);
  const b = openShardOf(ctx, s, normaliseShardId(input.AdjacentShardToMerge) ?? input.AdjacentShardToMerge);
  const aStart = BigInt(a.hashKeyStart);
  const bStart = BigInt(b.hashKeyStart);
  const [lower, upper] = aStart < bStart ? [a, b] : [b, a];
  if (a.shardId === b.shardId || BigInt(lower.hashKeyEnd) + 1n !== BigInt(upper.hashKeyStart)) {
    throw new KinesisError('InvalidArgumentException',
      `Shards ${a.shardId} and ${b.shardId} in stream ${s.streamName} under account ${ctx.caller.accountId} are not an adjacent pair of shards eligible for merging`);
  }
  // Kinesis names ShardToMerge the parent and AdjacentShardToMerge the adjacent parent, whichever is lower.
  const parents = [a.shardId, b.shardId];
  const steps = [{ parents, children: [{ hashKeyStart: lower.hashKeyStart, hashKeyEnd: upper.hashKeyEnd }] }];
  await commitStreamUpdate(ctx, stream, { ...s, status: 'UPDATING', reshard: { cause: 'merge', requestedMs: ctx.now(), steps } });
  return {};
}

export const mergeShards = defineOperation<MergeShardsInput>({ name: 'MergeShards', shape: MERGE_SHARDS, controlPlane: true, execute });

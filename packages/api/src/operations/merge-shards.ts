/**
 * MergeShards: records a one-step reshard round (status UPDATING); the
 * controller closes both parents, waits until both are sealed and opens
 * the child with ParentShardId = ShardToMerge and AdjacentShardToMerge as
 * its adjacent parent. As in Kinesis, both shard ids are checked before the
 * stream, both shards must be open, and AdjacentShardToMerge must start
 * right after ShardToMerge ends.
 */
import { KinesisError, MERGE_SHARDS, type MergeShardsInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream, targetStreamName } from '../streams/resolve-stream';
import { commitStreamUpdate, openShardOf, requestedShardId, requireProvisioned } from './stream-update';

async function execute(ctx: OperationContext, input: MergeShardsInput): Promise<OperationOutput> {
  const name = targetStreamName(ctx, input);
  const lowerId = requestedShardId(ctx, name, input.ShardToMerge);
  const upperId = requestedShardId(ctx, name, input.AdjacentShardToMerge);
  const stream = resolveActiveStream(ctx, input);
  const s = stream.value;
  requireProvisioned(ctx, s, 'MergeShards');
  const lower = openShardOf(ctx, s, lowerId);
  const upper = openShardOf(ctx, s, upperId);
  if (BigInt(lower.hashKeyEnd) + 1n !== BigInt(upper.hashKeyStart)) {
    throw new KinesisError('InvalidArgumentException',
      `Shards ${lower.shardId} and ${upper.shardId} in stream ${s.streamName} under account ${ctx.caller.accountId} are not an adjacent pair of shards eligible for merging`);
  }
  const steps = [{ parents: [lower.shardId, upper.shardId], children: [{ hashKeyStart: lower.hashKeyStart, hashKeyEnd: upper.hashKeyEnd }] }];
  await commitStreamUpdate(ctx, stream, { ...s, status: 'UPDATING', reshard: { cause: 'merge', requestedMs: ctx.now(), steps } });
  return {};
}

export const mergeShards = defineOperation<MergeShardsInput>({ name: 'MergeShards', shape: MERGE_SHARDS, controlPlane: true, execute });

/**
 * SplitShard: records a one-step reshard round in the stream (status
 * UPDATING); the controller closes the parent, waits for its leader to seal
 * it and opens the two children (docs/resharding.md). Kinesis' rules: the
 * stream is ACTIVE and PROVISIONED, the shard open, and
 * StartingHashKey + 1 < NewStartingHashKey < EndingHashKey.
 */
import { KinesisError, SPLIT_SHARD, splitProblem, splitStep, type SplitShardInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream, targetStreamName } from '../streams/resolve-stream';
import { checkShardQuota } from '../streams/account-limits';
import { commitStreamUpdate, openShardOf, requestedShardId, requireProvisioned } from './stream-update';

async function execute(ctx: OperationContext, input: SplitShardInput): Promise<OperationOutput> {
  const shardId = requestedShardId(ctx, targetStreamName(ctx, input), input.ShardToSplit);
  const stream = resolveActiveStream(ctx, input);
  const s = stream.value;
  requireProvisioned(ctx, s, 'SplitShard');
  const shard = openShardOf(ctx, s, shardId);
  checkShardQuota(ctx, 1);
  const parent = { shardId: shard.shardId, start: BigInt(shard.hashKeyStart), end: BigInt(shard.hashKeyEnd), open: true };
  const key = BigInt(input.NewStartingHashKey);
  if (splitProblem(parent, key) !== undefined) {
    throw new KinesisError('InvalidArgumentException',
      `NewStartingHashKey ${input.NewStartingHashKey} used in SplitShard() on shard ${shard.shardId} in stream ${s.streamName} under account ${ctx.caller.accountId} ` +
      `is not both greater than one plus the shard's StartingHashKey ${shard.hashKeyStart} and less than the shard's EndingHashKey ${shard.hashKeyEnd}.`);
  }
  const step = splitStep(parent, key);
  await commitStreamUpdate(ctx, stream, {
    ...s, status: 'UPDATING',
    reshard: { cause: 'split', requestedMs: ctx.now(), steps: [{ parents: step.parents, children: step.children.map((c) => ({ hashKeyStart: c.start.toString(), hashKeyEnd: c.end.toString() })) }] },
  });
  return {};
}

export const splitShard = defineOperation<SplitShardInput>({ name: 'SplitShard', shape: SPLIT_SHARD, controlPlane: true, execute });

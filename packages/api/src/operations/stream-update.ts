/**
 * Shared steps of the operations that change a stream's shape or settings
 * (SplitShard, MergeShards, UpdateShardCount, UpdateStreamMode,
 * UpdateStreamWarmThroughput, UpdateMaxRecordSize): shard lookup with
 * Kinesis' messages, the account's open shard count, and the guarded
 * stream write (a lost race means another update got there first).
 */
import { KinesisError, shardIndexFromId } from '@shoal/core';
import type { ShardRecord, StreamRecord, Versioned } from '@shoal/metadata';
import { awaitOwnWrite, type OperationContext } from '../operation';

/** The shard of the stream, open and not closing; Kinesis' errors otherwise. */
export function openShardOf(ctx: OperationContext, stream: StreamRecord, shardId: string): ShardRecord {
  const { accountId } = ctx.config;
  const shard = shardIndexFromId(shardId) !== undefined ? ctx.view.shard(stream.streamId, shardId)?.value : undefined;
  if (!shard) throw new KinesisError('ResourceNotFoundException', `Could not find shard ${shardId} in stream ${stream.streamName} under account ${accountId}.`);
  if (shard.endingSequenceNumber !== undefined || shard.closing === true) {
    throw new KinesisError('InvalidArgumentException',
      `Shard ${shardId} in stream ${stream.streamName} under account ${accountId} has already been merged or split, and thus is not eligible for merging or splitting.`);
  }
  return shard;
}

/** Open shards of every stream of the account (the shard quota counts these). */
export function accountOpenShards(ctx: OperationContext): number {
  let n = 0;
  for (const stream of ctx.view.streamsIn(ctx.caller)) {
    for (const s of ctx.view.shardsOf(stream.value.streamId)) if (s.value.endingSequenceNumber === undefined) n++;
  }
  return n;
}

/** Open shards of one stream. */
export function streamOpenShards(ctx: OperationContext, stream: StreamRecord): ShardRecord[] {
  return ctx.view.shardsOf(stream.streamId).map((v) => v.value).filter((s) => s.endingSequenceNumber === undefined);
}

/** Kinesis' control operations on an ON_DEMAND stream that only PROVISIONED streams allow. */
export function requireProvisioned(ctx: OperationContext, stream: StreamRecord, operation: string): void {
  if (stream.mode !== 'PROVISIONED') {
    throw new KinesisError('ValidationException',
      `${operation} is not supported for stream ${stream.streamName} under account ${ctx.caller.accountId} in ON_DEMAND capacity mode.`);
  }
}

/** Writes `next` if the stream is unchanged since it was read; ResourceInUseException if another update won. */
export async function commitStreamUpdate(ctx: OperationContext, stream: Versioned<StreamRecord>, next: StreamRecord): Promise<void> {
  if (!(await ctx.metadata.updateStream(next, stream.modRevision))) {
    throw new KinesisError('ResourceInUseException',
      `Stream ${next.streamName} under account ${ctx.caller.accountId} not ACTIVE, instead in state UPDATING`);
  }
  await awaitOwnWrite(ctx, (view) => {
    const s = view.stream(next);
    return s !== undefined && s.modRevision !== stream.modRevision;
  });
}

/** The account shard quota check of a request that adds `added` open shards. */
export function checkShardQuota(ctx: OperationContext, added: number, limit: number): void {
  const current = accountOpenShards(ctx);
  if (added > 0 && current + added > limit) {
    const { region, accountId } = ctx.caller;
    throw new KinesisError('LimitExceededException',
      `This request would exceed the shard limit for the account ${accountId} in ${region}. Current shard count for the account: ${current}. ` +
      `Limit: ${limit}. Number of additional shards that would have resulted from this request: ${added}. ` +
      'Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.');
  }
}

/**
 * DescribeStream: the stream and a page of its shards (Limit, default 100,
 * after ExclusiveStartShardId), HasMoreShards when the page is not the last.
 * A DELETING stream lists no shards, as Kinesis answers (its developer
 * guide's describe-stream after delete-stream shows `"Shards": []`).
 * Expired shards (closed before now - retention) are not listed, as in
 * ListShards.
 */
import { DESCRIBE_STREAM, limits, normaliseShardId, shardIndexFromId, type DescribeStreamInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { listedShards, resolveStream } from '../streams/resolve-stream';
import { shardDescription, streamBasics, streamSettings } from '../streams/shard-description';
import { shardNotFound } from '../kinesis-errors';

const DESCRIBE_STREAM_LIMIT_DEFAULT = 100;

async function execute(ctx: OperationContext, input: DescribeStreamInput): Promise<OperationOutput> {
  const stream = resolveStream(ctx, input);
  // Limit is valid up to 10000, but a page holds at most 100 shards (documented).
  const limit = Math.min(input.Limit ?? DESCRIBE_STREAM_LIMIT_DEFAULT, limits.DESCRIBE_STREAM_PAGE_MAX);
  let shards = stream.value.status === 'DELETING' ? [] : listedShards(ctx, stream.value);
  if (input.ExclusiveStartShardId !== undefined) {
    // Normalised as Kinesis does (`shardId-1`, `1`); an id naming no shard index names no shard.
    const after = input.ExclusiveStartShardId;
    const afterId = normaliseShardId(after);
    if (afterId === undefined) {
      throw shardNotFound(after, stream.value.streamName, ctx.caller.accountId);
    }
    const afterIndex = shardIndexFromId(afterId) ?? -1;
    shards = shards.filter((s) => s.shardIndex > afterIndex);
  }
  const page = shards.slice(0, limit);
  return {
    StreamDescription: {
      ...streamBasics(stream.value),
      Shards: page.map(shardDescription),
      HasMoreShards: shards.length > limit,
      ...streamSettings(stream.value),
    },
  };
}

export const describeStream = defineOperation<DescribeStreamInput>({ name: 'DescribeStream', shape: DESCRIBE_STREAM, controlPlane: true, execute });

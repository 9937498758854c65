/**
 * DescribeStream: the stream and a page of its shards (Limit, default 100,
 * after ExclusiveStartShardId), HasMoreShards when the page is not the last.
 */
import { DESCRIBE_STREAM, shardIndexFromId, type DescribeStreamInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveStream } from '../streams/resolve-stream';
import { shardDescription, streamBasics, streamSettings } from '../streams/shard-description';

const DESCRIBE_STREAM_LIMIT_DEFAULT = 100;

async function execute(ctx: OperationContext, input: DescribeStreamInput): Promise<OperationOutput> {
  const stream = resolveStream(ctx, input);
  const limit = input.Limit ?? DESCRIBE_STREAM_LIMIT_DEFAULT;
  let shards = ctx.view.shardsOf(stream.value.streamId).map((s) => s.value);
  if (input.ExclusiveStartShardId !== undefined) {
    const after = input.ExclusiveStartShardId;
    const afterIndex = shardIndexFromId(after);
    shards = shards.filter((s) => (afterIndex === undefined ? s.shardId > after : s.shardIndex > afterIndex));
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

/** DescribeStreamSummary: the stream without its shards, with the count of open shards. */
import { DESCRIBE_STREAM_SUMMARY, type DescribeStreamSummaryInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveStream } from '../streams/resolve-stream';
import { isOpen, streamBasics, streamSettings } from '../streams/shard-description';
import { warmThroughputOf } from '../streams/warm-throughput';

async function execute(ctx: OperationContext, input: DescribeStreamSummaryInput): Promise<OperationOutput> {
  const stream = resolveStream(ctx, input);
  const open = ctx.view.shardsOf(stream.value.streamId).filter((s) => isOpen(s.value)).length;
  return {
    StreamDescriptionSummary: {
      ...streamBasics(stream.value), ...streamSettings(stream.value), OpenShardCount: open, ConsumerCount: ctx.view.consumers.of(stream.value.streamId).length,
      MaxRecordSizeInKiB: stream.value.maxRecordSizeKiB,
      ...(stream.value.mode === 'ON_DEMAND' ? { WarmThroughput: warmThroughputOf(stream.value, open) } : {}),
    },
  };
}

export const describeStreamSummary = defineOperation<DescribeStreamSummaryInput>({
  name: 'DescribeStreamSummary', shape: DESCRIBE_STREAM_SUMMARY, controlPlane: true, execute,
});

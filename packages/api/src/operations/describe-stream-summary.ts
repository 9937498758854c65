/**
 * DescribeStreamSummary: the stream without its shards, with the count of
 * open shards. ON_DEMAND streams also show their record distribution
 * strategy, and their warm throughput while the account has the
 * On-demand Advantage commitment (as the model documents).
 */
import { DESCRIBE_STREAM_SUMMARY, type DescribeStreamSummaryInput } from '@shoal/core';
import { billingCommitmentActive } from '@shoal/metadata';
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
      ...(stream.value.mode === 'ON_DEMAND' && billingCommitmentActive(ctx.view.accountSettings.get(ctx.caller.accountId)?.value, ctx.now())
        ? { WarmThroughput: warmThroughputOf(stream.value, open) } : {}),
      ...(stream.value.mode === 'ON_DEMAND' ? { RecordDistributionStrategy: stream.value.recordDistributionStrategy ?? 'USER_PARTITION_KEY' } : {}),
    },
  };
}

export const describeStreamSummary = defineOperation<DescribeStreamSummaryInput>({
  name: 'DescribeStreamSummary', shape: DESCRIBE_STREAM_SUMMARY, controlPlane: true, execute,
});

/**
 * UpdateStreamRecordDistributionStrategy (by StreamARN): AUTO makes the
 * service place records evenly over the open shards, ignoring partition
 * and explicit hash keys, which producers may then leave out;
 * USER_PARTITION_KEY (the default) places by partition key again. Only
 * ON_DEMAND streams have the setting (InvalidArgumentException otherwise);
 * it takes effect at once, for records written from then on.
 */
import { UPDATE_STREAM_RECORD_DISTRIBUTION_STRATEGY, type UpdateStreamRecordDistributionStrategyInput } from '@shoal/core';
import { onDemandOnly } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: UpdateStreamRecordDistributionStrategyInput): Promise<OperationOutput> {
  await updateStreamSettings(ctx, () => resolveActiveStream(ctx, { StreamARN: input.StreamARN }), (s) => {
    if (s.mode !== 'ON_DEMAND') throw onDemandOnly('The record distribution strategy', s.streamName, ctx.caller.accountId);
    return { ...s, recordDistributionStrategy: input.RecordDistributionStrategy };
  });
  return {};
}

export const updateStreamRecordDistributionStrategy = defineOperation<UpdateStreamRecordDistributionStrategyInput>({
  name: 'UpdateStreamRecordDistributionStrategy', shape: UPDATE_STREAM_RECORD_DISTRIBUTION_STRATEGY, controlPlane: true, execute,
});

/**
 * UpdateStreamWarmThroughput: the write throughput (MiB/s) an ON_DEMAND
 * stream must carry without scaling first. The controller pre-splits the
 * stream to ceil(target) shards of 1 MiB/s (uniform rounds) and never
 * merges below that; 0 removes the target. Only accounts with the
 * On-demand Advantage commitment may set it (UpdateAccountSettings).
 */
import { KinesisError, UPDATE_STREAM_WARM_THROUGHPUT, type UpdateStreamWarmThroughputInput } from '@shoal/core';
import { billingCommitmentActive, type StreamRecord } from '@shoal/metadata';
import { warmThroughputNeedsCommitment } from '../kinesis-errors';
import { accountSettingsOf } from '../streams/account-limits';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { warmThroughputOf } from '../streams/warm-throughput';
import { commitStreamUpdate, streamOpenShards } from './stream-update';

async function execute(ctx: OperationContext, input: UpdateStreamWarmThroughputInput): Promise<OperationOutput> {
  const stream = resolveActiveStream(ctx, input);
  const s = stream.value;
  if (s.mode !== 'ON_DEMAND') {
    throw new KinesisError('InvalidArgumentException',
      `Warm throughput can only be set for streams in ON_DEMAND capacity mode; stream ${s.streamName} under account ${ctx.caller.accountId} is PROVISIONED.`);
  }
  if (!billingCommitmentActive(accountSettingsOf(ctx), ctx.now())) throw warmThroughputNeedsCommitment(ctx.caller.accountId);
  const { warmThroughputMiBps: _previous, ...rest } = s;
  const next: StreamRecord = { ...rest, ...(input.WarmThroughputMiBps > 0 ? { warmThroughputMiBps: input.WarmThroughputMiBps } : {}) };
  await commitStreamUpdate(ctx, stream, next);
  return { StreamARN: s.streamArn, StreamName: s.streamName, WarmThroughput: warmThroughputOf(next, streamOpenShards(ctx, s).length) };
}

export const updateStreamWarmThroughput = defineOperation<UpdateStreamWarmThroughputInput>({
  name: 'UpdateStreamWarmThroughput', shape: UPDATE_STREAM_WARM_THROUGHPUT, controlPlane: true, execute,
});

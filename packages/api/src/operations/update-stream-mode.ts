/**
 * UpdateStreamMode: switches a stream between PROVISIONED and ON_DEMAND
 * (the shards stay; an ON_DEMAND stream is then scaled by the controller
 * from its measured ingest). WarmThroughputMiBps may come along for
 * ON_DEMAND (with the On-demand Advantage commitment); switching to
 * PROVISIONED drops any warm throughput target, and is refused while the
 * stream's record distribution strategy is AUTO (PROVISIONED streams have
 * none). ON_DEMAND streams count against the account's quota of them.
 */
import { UPDATE_STREAM_MODE, type UpdateStreamModeInput } from '@shoal/core';
import { billingCommitmentActive, type StreamRecord } from '@shoal/metadata';
import { autoNeedsOnDemand, warmThroughputNeedsCommitment, warmThroughputNeedsOnDemand } from '../kinesis-errors';
import { accountSettingsOf, checkOnDemandStreamQuota } from '../streams/account-limits';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { commitStreamUpdate } from './stream-update';

async function execute(ctx: OperationContext, input: UpdateStreamModeInput): Promise<OperationOutput> {
  const stream = resolveActiveStream(ctx, { StreamARN: input.StreamARN });
  const s = stream.value;
  const mode = input.StreamModeDetails.StreamMode;
  if (input.WarmThroughputMiBps !== undefined && mode !== 'ON_DEMAND') {
    throw warmThroughputNeedsOnDemand();
  }
  if ((input.WarmThroughputMiBps ?? 0) > 0 && !billingCommitmentActive(accountSettingsOf(ctx), ctx.now())) throw warmThroughputNeedsCommitment(ctx.caller.accountId);
  if (mode === 'PROVISIONED' && s.recordDistributionStrategy === 'AUTO') throw autoNeedsOnDemand(s.streamName, ctx.caller.accountId);
  if (mode === 'ON_DEMAND' && s.mode !== 'ON_DEMAND') checkOnDemandStreamQuota(ctx);
  const { warmThroughputMiBps: _previous, ...rest } = s;
  const warm = mode === 'ON_DEMAND' ? input.WarmThroughputMiBps ?? s.warmThroughputMiBps : undefined;
  const next: StreamRecord = { ...rest, mode, ...(warm !== undefined && warm > 0 ? { warmThroughputMiBps: warm } : {}) };
  await commitStreamUpdate(ctx, stream, next);
  return {};
}

export const updateStreamMode = defineOperation<UpdateStreamModeInput>({ name: 'UpdateStreamMode', shape: UPDATE_STREAM_MODE, controlPlane: true, execute });

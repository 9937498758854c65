/**
 * DecreaseStreamRetentionPeriod: a shorter retention, 24..8760 hours and
 * not longer than the current one. Records older than the new period are
 * inaccessible at once (readers hide them; storage nodes trim them).
 */
import { DECREASE_STREAM_RETENTION_PERIOD, type StreamRetentionPeriodInput } from '@shoal/core';
import { retentionNotDecrease } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { checkRetentionHours } from '../streams/retention';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: StreamRetentionPeriodInput): Promise<OperationOutput> {
  const hours = input.RetentionPeriodHours;
  checkRetentionHours(hours);
  await updateStreamSettings(ctx, () => resolveActiveStream(ctx, input), (s) => {
    if (hours > s.retentionPeriodHours) throw retentionNotDecrease(hours, s.streamName, s.retentionPeriodHours);
    return { ...s, retentionPeriodHours: hours };
  });
  return {};
}

export const decreaseStreamRetentionPeriod = defineOperation<StreamRetentionPeriodInput>({
  name: 'DecreaseStreamRetentionPeriod', shape: DECREASE_STREAM_RETENTION_PERIOD, controlPlane: true, execute,
});

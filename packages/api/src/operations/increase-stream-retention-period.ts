/**
 * IncreaseStreamRetentionPeriod: a longer retention, 24..8760 hours and
 * not shorter than the current one. Data already older than the previous
 * period stays inaccessible (expiredBeforeMs), as Kinesis documents.
 */
import { INCREASE_STREAM_RETENTION_PERIOD, type StreamRetentionPeriodInput } from '@shoal/core';
import { retentionHorizonMs } from '@shoal/metadata';
import { retentionNotIncrease } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { checkRetentionHours } from '../streams/retention';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: StreamRetentionPeriodInput): Promise<OperationOutput> {
  const hours = input.RetentionPeriodHours;
  checkRetentionHours(hours);
  await updateStreamSettings(ctx, () => resolveActiveStream(ctx, input), (s) => {
    if (hours < s.retentionPeriodHours) throw retentionNotIncrease(hours, s.streamName, s.retentionPeriodHours);
    return { ...s, retentionPeriodHours: hours, expiredBeforeMs: retentionHorizonMs(s, ctx.now()) };
  });
  return {};
}

export const increaseStreamRetentionPeriod = defineOperation<StreamRetentionPeriodInput>({
  name: 'IncreaseStreamRetentionPeriod', shape: INCREASE_STREAM_RETENTION_PERIOD, controlPlane: true, execute,
});

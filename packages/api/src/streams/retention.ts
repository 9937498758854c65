/**
 * A stream's retention as readers see it: records that arrived before the
 * retention horizon are expired and never returned, whether or not the
 * storage nodes have trimmed them yet. The horizon is now minus the
 * retention period, and never before `expiredBeforeMs` (data that expired
 * before an IncreaseStreamRetentionPeriod stays expired).
 */
import { limits } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import { retentionTooLong, retentionTooShort } from '../kinesis-errors';

const MS_PER_HOUR = 3_600_000;

/** InvalidArgumentException for a period outside RETENTION_HOURS_MIN..RETENTION_HOURS_MAX. */
export function checkRetentionHours(hours: number): void {
  if (hours < limits.RETENTION_HOURS_MIN) throw retentionTooShort(hours);
  if (hours > limits.RETENTION_HOURS_MAX) throw retentionTooLong(hours);
}

/** Epoch ms before which the stream's records are expired at `nowMs`. */
export function retentionHorizonMs(stream: StreamRecord, nowMs: number): number {
  return Math.max(nowMs - stream.retentionPeriodHours * MS_PER_HOUR, stream.expiredBeforeMs ?? 0);
}

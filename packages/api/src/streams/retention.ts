/**
 * Retention periods as IncreaseStreamRetentionPeriod and
 * DecreaseStreamRetentionPeriod take them. What a period hides from readers
 * is the stream's retention horizon (@shoal/metadata retentionHorizonMs).
 */
import { limits } from '@shoal/core';
import { retentionTooLong, retentionTooShort } from '../kinesis-errors';

/** InvalidArgumentException for a period outside RETENTION_HOURS_MIN..RETENTION_HOURS_MAX. */
export function checkRetentionHours(hours: number): void {
  if (hours < limits.RETENTION_HOURS_MIN) throw retentionTooShort(hours);
  if (hours > limits.RETENTION_HOURS_MAX) throw retentionTooLong(hours);
}

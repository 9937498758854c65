/**
 * A stream's retention horizon: records that arrived before it are expired
 * and never returned, whether or not the storage nodes have trimmed them
 * yet; a shard closed before it is expired (shard-state.ts). The horizon
 * is now minus the retention period, and never before `expiredBeforeMs`
 * (data that expired before an IncreaseStreamRetentionPeriod stays
 * expired).
 */
import type { StreamRecord } from './schema';

const MS_PER_HOUR = 3_600_000;

/** Epoch ms before which the stream's records are expired at `nowMs`. */
export function retentionHorizonMs(stream: Pick<StreamRecord, 'retentionPeriodHours' | 'expiredBeforeMs'>, nowMs: number): number {
  return Math.max(nowMs - stream.retentionPeriodHours * MS_PER_HOUR, stream.expiredBeforeMs ?? 0);
}

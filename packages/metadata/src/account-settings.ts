/**
 * The state of an account's On-demand Advantage commitment at a moment,
 * from its BillingCommitmentRecord: one reading for the api
 * (DescribeAccountSettings, warm throughput) and the controller (whether
 * warm throughput targets are in effect).
 */
import type { AccountSettingsRecord, BillingCommitmentRecord } from './schema';

export type BillingCommitmentStatus = 'ENABLED' | 'DISABLED' | 'ENABLED_UNTIL_EARLIEST_ALLOWED_END';

export function billingCommitmentStatus(commitment: BillingCommitmentRecord | undefined, nowMs: number): BillingCommitmentStatus {
  if (!commitment) return 'DISABLED';
  if (commitment.endedMs === undefined) return 'ENABLED';
  return nowMs < commitment.endedMs ? 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' : 'DISABLED';
}

/** Whether the account has the commitment now (warm throughput is then in effect). */
export function billingCommitmentActive(settings: AccountSettingsRecord | undefined, nowMs: number): boolean {
  return billingCommitmentStatus(settings?.minimumThroughputBillingCommitment, nowMs) !== 'DISABLED';
}

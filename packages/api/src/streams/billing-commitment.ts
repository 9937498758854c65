/**
 * The account's On-demand Advantage commitment (MinimumThroughputBillingCommitment)
 * as DescribeAccountSettings and UpdateAccountSettings answer it, and the
 * transitions UpdateAccountSettings makes: enabling starts a commitment of
 * at least BILLING_COMMITMENT_MIN_MS; disabling ends it at once once that
 * time has passed, else at the earliest allowed end
 * (ENABLED_UNTIL_EARLIEST_ALLOWED_END until then); enabling again before
 * that cancels the pending end. While the commitment is in effect, ON_DEMAND
 * streams may have warm throughput (metadata account-settings.ts).
 */
import { limits } from '@shoal/core';
import { billingCommitmentStatus, type BillingCommitmentRecord } from '@shoal/metadata';
import type { OperationOutput } from '../operation';

/** The MinimumThroughputBillingCommitmentOutput structure at `nowMs`. */
export function commitmentOutput(commitment: BillingCommitmentRecord | undefined, nowMs: number): OperationOutput {
  const status = billingCommitmentStatus(commitment, nowMs);
  if (!commitment) return { Status: status };
  return {
    Status: status,
    StartedAt: new Date(commitment.startedMs),
    EndedAt: commitment.endedMs !== undefined && commitment.endedMs <= nowMs ? new Date(commitment.endedMs) : undefined,
    EarliestAllowedEndAt: status === 'DISABLED' ? undefined : new Date(commitment.earliestAllowedEndMs),
  };
}

/** The commitment after asking for `wanted` at `nowMs` (unchanged when already so). */
export function nextCommitment(commitment: BillingCommitmentRecord | undefined, wanted: 'ENABLED' | 'DISABLED', nowMs: number): BillingCommitmentRecord | undefined {
  const status = billingCommitmentStatus(commitment, nowMs);
  if (wanted === 'ENABLED') {
    if (status === 'ENABLED') return commitment;
    if (status === 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' && commitment) return { startedMs: commitment.startedMs, earliestAllowedEndMs: commitment.earliestAllowedEndMs };
    return { startedMs: nowMs, earliestAllowedEndMs: nowMs + limits.BILLING_COMMITMENT_MIN_MS };
  }
  if (status !== 'ENABLED' || !commitment) return commitment;
  return { ...commitment, endedMs: Math.max(nowMs, commitment.earliestAllowedEndMs) };
}

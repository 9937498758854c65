/** DescribeAccountSettings: the caller's On-demand Advantage commitment (billing-commitment.ts). */
import { DESCRIBE_ACCOUNT_SETTINGS } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { accountSettingsOf } from '../streams/account-limits';
import { commitmentOutput } from '../streams/billing-commitment';

async function execute(ctx: OperationContext): Promise<OperationOutput> {
  return { MinimumThroughputBillingCommitment: commitmentOutput(accountSettingsOf(ctx)?.minimumThroughputBillingCommitment, ctx.now()) };
}

export const describeAccountSettings = defineOperation<Record<string, never>>({
  name: 'DescribeAccountSettings', shape: DESCRIBE_ACCOUNT_SETTINGS, controlPlane: true, execute,
});

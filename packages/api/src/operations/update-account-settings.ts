/**
 * UpdateAccountSettings: enables or disables the caller's On-demand
 * Advantage commitment (billing-commitment.ts), stored per account in etcd
 * (accounts/<accountId>/settings), and answers the result.
 */
import { KinesisError, UPDATE_ACCOUNT_SETTINGS, type UpdateAccountSettingsInput } from '@shoal/core';
import type { AccountSettingsRecord } from '@shoal/metadata';
import { awaitOwnWrite, defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { commitmentOutput, nextCommitment } from '../streams/billing-commitment';

/** Attempts when another update of the same account's settings lands first. */
const SETTINGS_UPDATE_ATTEMPTS_MAX = 3;

async function execute(ctx: OperationContext, input: UpdateAccountSettingsInput): Promise<OperationOutput> {
  const { accountId } = ctx.caller;
  for (let attempt = 1; attempt <= SETTINGS_UPDATE_ATTEMPTS_MAX; attempt++) {
    const current = ctx.view.accountSettings.get(accountId);
    const now = ctx.now();
    const commitment = nextCommitment(current?.value.minimumThroughputBillingCommitment, input.MinimumThroughputBillingCommitment.Status, now);
    const { minimumThroughputBillingCommitment: _old, ...rest } = current?.value ?? { accountId };
    const next: AccountSettingsRecord = { ...rest, accountId, ...(commitment ? { minimumThroughputBillingCommitment: commitment } : {}) };
    const revision = current?.modRevision ?? '0';
    if (await ctx.metadata.putAccountSettings(next, revision)) {
      await awaitOwnWrite(ctx, (view) => (view.accountSettings.get(accountId)?.modRevision ?? '0') !== revision);
      return { MinimumThroughputBillingCommitment: commitmentOutput(commitment, now) };
    }
    await awaitOwnWrite(ctx, (view) => (view.accountSettings.get(accountId)?.modRevision ?? '0') !== revision);
  }
  throw new KinesisError('LimitExceededException', `Account settings of ${accountId} are being changed concurrently; retry.`);
}

export const updateAccountSettings = defineOperation<UpdateAccountSettingsInput>({
  name: 'UpdateAccountSettings', shape: UPDATE_ACCOUNT_SETTINGS, controlPlane: true, execute,
});

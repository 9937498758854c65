/**
 * PutResourcePolicy: attaches (or replaces) the resource-based policy of a
 * stream or consumer of the caller's account. The document must be one
 * this server can evaluate in full (core parsePolicyDocument): a policy is
 * refused, never stored with a part that would be ignored. A consumer
 * takes a policy once it is ACTIVE.
 */
import { PUT_RESOURCE_POLICY, parsePolicyDocument, type PutResourcePolicyInput } from '@shoal/core';
import { defineOperation, awaitOwnWrite, type OperationContext } from '../operation';
import { ownedPolicyResource, refuseConsumerNotActive } from '../policies/policy-target';

async function execute(ctx: OperationContext, input: PutResourcePolicyInput): Promise<Record<string, never>> {
  const resource = ownedPolicyResource(ctx, input.ResourceARN);
  refuseConsumerNotActive(ctx, resource.arn);
  parsePolicyDocument(input.Policy);
  const record = { resourceArn: resource.arn, resourceId: resource.resourceId, accountId: resource.accountId, policy: input.Policy, updatedMs: ctx.now() };
  await ctx.metadata.putResourcePolicy(record);
  await awaitOwnWrite(ctx, (view) => view.policies.get(resource.arn)?.value.updatedMs === record.updatedMs);
  return {};
}

export const putResourcePolicy = defineOperation<PutResourcePolicyInput>({ name: 'PutResourcePolicy', shape: PUT_RESOURCE_POLICY, controlPlane: true, execute });

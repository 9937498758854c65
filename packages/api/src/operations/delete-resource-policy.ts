/** DeleteResourcePolicy: removes the policy of a stream or consumer of the caller's account. */
import { DELETE_RESOURCE_POLICY, KinesisError, type ResourcePolicyTargetInput } from '@shoal/core';
import { awaitOwnWrite, defineOperation, type OperationContext } from '../operation';
import { ownedPolicyResource } from '../policies/policy-target';

async function execute(ctx: OperationContext, input: ResourcePolicyTargetInput): Promise<Record<string, never>> {
  const resource = ownedPolicyResource(ctx, input.ResourceARN);
  const stored = ctx.view.policies.get(resource.arn)?.value;
  // A policy left by an earlier stream of the same ARN is not this stream's: remove it, but answer as for none.
  const deleted = await ctx.metadata.deleteResourcePolicy(resource.arn);
  if (!deleted || !stored || stored.resourceId !== resource.resourceId) {
    throw new KinesisError('ResourceNotFoundException', `No resource policy found for resource ${resource.arn}.`);
  }
  await awaitOwnWrite(ctx, (view) => !view.policies.has(resource.arn));
  return {};
}

export const deleteResourcePolicy = defineOperation<ResourcePolicyTargetInput>({ name: 'DeleteResourcePolicy', shape: DELETE_RESOURCE_POLICY, controlPlane: true, execute });

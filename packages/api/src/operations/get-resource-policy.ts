/** GetResourcePolicy: the policy of a stream or consumer of the caller's account, as it was put ("{}" when it has none). */
import { GET_RESOURCE_POLICY, type ResourcePolicyTargetInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { ownedPolicyResource } from '../policies/policy-target';

/** What Kinesis answers for a resource without a policy. */
const NO_POLICY = '{}';

async function execute(ctx: OperationContext, input: ResourcePolicyTargetInput): Promise<OperationOutput> {
  const resource = ownedPolicyResource(ctx, input.ResourceARN);
  const stored = ctx.view.policies.get(resource.arn)?.value;
  return { Policy: stored && stored.resourceId === resource.resourceId ? stored.policy : NO_POLICY };
}

export const getResourcePolicy = defineOperation<ResourcePolicyTargetInput>({ name: 'GetResourcePolicy', shape: GET_RESOURCE_POLICY, controlPlane: true, execute });

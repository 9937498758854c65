/**
 * Resource-policy enforcement (with --auth sigv4; without it there is one
 * account and nothing is checked). A request on a stream or consumer is
 * decided by core's `decideAccess` from the resource's stored policy:
 * an explicit Deny refuses anyone, the owner's account is allowed
 * otherwise, another account needs an Allow. Refusals are
 * AccessDeniedException with AWS's message.
 *
 * Policies are read from the watch-backed view (no etcd round trip per
 * request) and parsed once per stored version. A policy applies only to the
 * resource it was put on (`resourceId`): a stream deleted and created again
 * under the same ARN starts without one.
 */
import { KinesisError, accessDeniedMessage, decideAccess, parsePolicyDocument, type AccessRequest, type PolicyDocument } from '@shoal/core';
import type { ResourcePolicyRecord, StreamRecord } from '@shoal/metadata';
import type { OperationContext } from '../operation';

/** Parsed documents by stored record (a new version is a new object, so entries never go stale). */
const parsed = new WeakMap<ResourcePolicyRecord, PolicyDocument>();

/** The resource a request acts on. */
export interface PolicyResource {
  readonly arn: string;
  /** Owner account. */
  readonly accountId: string;
  /** Identity of this incarnation of the resource (a stream's streamId). */
  readonly resourceId: string;
}

/** Whether resource policies are enforced in this process (and so whether another account's streams can be reached at all). */
export function enforcesPolicies(ctx: Pick<OperationContext, 'config'>): boolean {
  return ctx.config.auth === 'sigv4';
}

function policyOf(ctx: OperationContext, resource: PolicyResource): PolicyDocument | undefined {
  const stored = ctx.view.policies.get(resource.arn)?.value;
  if (!stored || stored.resourceId !== resource.resourceId) return undefined;
  let doc = parsed.get(stored);
  if (!doc) {
    doc = parsePolicyDocument(stored.policy);
    parsed.set(stored, doc);
  }
  return doc;
}

/** Throws AccessDeniedException unless the caller may run this request's operation on `resource`. */
export function authorize(ctx: OperationContext, resource: PolicyResource): void {
  if (!enforcesPolicies(ctx)) return;
  const req: AccessRequest = {
    principalAccount: ctx.caller.accountId, ...(ctx.caller.principalArn !== undefined ? { principalArn: ctx.caller.principalArn } : {}),
    operation: ctx.request.operation, resourceArn: resource.arn, resourceAccount: resource.accountId, secureTransport: ctx.request.secureTransport,
  };
  const decision = decideAccess(policyOf(ctx, resource), req);
  if (!decision.allowed) throw new KinesisError('AccessDeniedException', accessDeniedMessage(req, decision.reason));
}

/** A stream as a policy resource. */
export function streamResource(stream: StreamRecord): PolicyResource {
  return { arn: stream.streamArn, accountId: stream.accountId, resourceId: stream.streamId };
}

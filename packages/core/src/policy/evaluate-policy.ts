/**
 * Access decisions from resource-based policies, as a pure function:
 *
 *   - an explicit Deny that matches the request wins, for every caller;
 *   - a caller of the resource's own account is allowed otherwise (there
 *     are no identity policies here: a signing key acts for its account);
 *   - a caller of another account is allowed only by a matching Allow, and
 *     only for the actions Kinesis lets resource policies share
 *     (CROSS_ACCOUNT_ACTIONS); everything else is denied.
 *
 * A statement matches when its principal, action, resource and every
 * condition match. Principals: "*", an account (every principal of it), or
 * an exact user/role ARN. Actions compare case-insensitively with wildcards,
 * resources case-sensitively with wildcards (IAM's rules).
 */
import type { PolicyDocument, PolicyPrincipals, PolicyStatement, PatternSet } from './policy-document';
import { conditionsHold } from './policy-conditions';
import { wildcardMatch } from './wildcard';

/** Operations that a resource policy can grant to another account (Kinesis' list for streams and consumers). */
export const CROSS_ACCOUNT_ACTIONS: ReadonlySet<string> = new Set([
  'DescribeStream', 'DescribeStreamSummary', 'DescribeStreamConsumer', 'DeregisterStreamConsumer', 'GetRecords', 'GetShardIterator',
  'ListShards', 'ListStreamConsumers', 'ListTagsForResource', 'PutRecord', 'PutRecords', 'RegisterStreamConsumer', 'SubscribeToShard',
]);

/** One request against one resource. */
export interface AccessRequest {
  /** Account of the signing key. */
  readonly principalAccount: string;
  /** ARN of the signing identity (arn:aws:iam::<account>:user/<name>), when known. */
  readonly principalArn?: string;
  /** The operation name, e.g. PutRecord (the policy action is kinesis:PutRecord). */
  readonly operation: string;
  readonly resourceArn: string;
  /** Account that owns the resource. */
  readonly resourceAccount: string;
  /** Whether the request came over TLS (aws:SecureTransport). */
  readonly secureTransport: boolean;
}

export type PolicyEffectMatch = 'deny' | 'allow' | 'none';

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'explicit-deny' | 'no-allow' };

function principalMatches(p: PolicyPrincipals, req: AccessRequest): boolean {
  return p.anyone || p.accounts.includes(req.principalAccount) || (req.principalArn !== undefined && p.arns.includes(req.principalArn));
}

function patternsMatch(set: PatternSet, text: string, ignoreCase: boolean): boolean {
  const any = set.patterns.some((p) => p === '*' || wildcardMatch(p, text, ignoreCase));
  return set.negated ? !any : any;
}

function statementMatches(s: PolicyStatement, req: AccessRequest): boolean {
  return principalMatches(s.principals, req)
    && patternsMatch(s.actions, `kinesis:${req.operation}`, true)
    && patternsMatch(s.resources, req.resourceArn, false)
    && conditionsHold(s.conditions, { principalAccount: req.principalAccount, principalArn: req.principalArn, secureTransport: req.secureTransport });
}

/** What the policy says about the request: a matching Deny, else a matching Allow, else nothing. */
export function evaluatePolicy(policy: PolicyDocument, req: AccessRequest): PolicyEffectMatch {
  let allowed = false;
  for (const s of policy.statements) {
    if (!statementMatches(s, req)) continue;
    if (s.effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'none';
}

/** Whether the request may proceed, given the resource's policy (undefined when it has none). */
export function decideAccess(policy: PolicyDocument | undefined, req: AccessRequest): AccessDecision {
  const match = policy ? evaluatePolicy(policy, req) : 'none';
  if (match === 'deny') return { allowed: false, reason: 'explicit-deny' };
  if (req.principalAccount === req.resourceAccount) return { allowed: true };
  if (match === 'allow' && CROSS_ACCOUNT_ACTIONS.has(req.operation)) return { allowed: true };
  return { allowed: false, reason: 'no-allow' };
}

/** AWS's AccessDeniedException message for a refused request. */
export function accessDeniedMessage(req: AccessRequest, reason: 'explicit-deny' | 'no-allow'): string {
  const who = req.principalArn ?? `arn:aws:iam::${req.principalAccount}:root`;
  const action = `kinesis:${req.operation}`;
  const why = reason === 'explicit-deny'
    ? 'with an explicit deny in a resource-based policy'
    : `because no resource-based policy allows the ${action} action`;
  return `User: ${who} is not authorized to perform: ${action} on resource: ${req.resourceArn} ${why}`;
}

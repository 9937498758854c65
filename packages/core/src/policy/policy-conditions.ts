/**
 * The Condition blocks of resource policies that this server can evaluate,
 * and their evaluation. A block is {operator: {key: value | [values]}}:
 * every operator must hold, every key of an operator must hold, and a key
 * holds when the request's value matches any listed value (for the Not...
 * operators: matches none of them).
 *
 * Operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
 * StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike,
 * ArnNotEquals, ArnNotLike, Bool. Keys (case-insensitive, as in IAM):
 * aws:PrincipalAccount, aws:PrincipalArn, aws:SecureTransport. Anything
 * else (IfExists, ForAnyValue:/ForAllValues:, other keys) is refused when
 * the policy is stored, never ignored.
 */
import { invalidPolicyDocument, type KinesisError } from '../errors';
import { POLICY_CONDITION_VALUES_MAX } from '../limits';
import { wildcardMatch } from './wildcard';

type Matcher = 'equals' | 'equals-ignore-case' | 'like' | 'bool';

interface OperatorRule {
  readonly matcher: Matcher;
  readonly negated: boolean;
}

const OPERATORS: ReadonlyMap<string, OperatorRule> = new Map([
  ['StringEquals', { matcher: 'equals', negated: false }],
  ['StringNotEquals', { matcher: 'equals', negated: true }],
  ['StringEqualsIgnoreCase', { matcher: 'equals-ignore-case', negated: false }],
  ['StringNotEqualsIgnoreCase', { matcher: 'equals-ignore-case', negated: true }],
  ['StringLike', { matcher: 'like', negated: false }],
  ['StringNotLike', { matcher: 'like', negated: true }],
  ['ArnEquals', { matcher: 'equals', negated: false }],
  ['ArnNotEquals', { matcher: 'equals', negated: true }],
  ['ArnLike', { matcher: 'like', negated: false }],
  ['ArnNotLike', { matcher: 'like', negated: true }],
  ['Bool', { matcher: 'bool', negated: false }],
]);

/** The condition keys this server knows, by lower-cased name. */
export type ConditionKey = 'aws:principalaccount' | 'aws:principalarn' | 'aws:securetransport';
const KEYS: readonly ConditionKey[] = ['aws:principalaccount', 'aws:principalarn', 'aws:securetransport'];

/** One operator applied to one key with its accepted values. */
export interface PolicyCondition {
  readonly operator: string;
  readonly key: ConditionKey;
  readonly values: readonly string[];
}

/** The request values condition keys read. */
export interface ConditionContext {
  readonly principalAccount: string;
  readonly principalArn?: string;
  readonly secureTransport: boolean;
}

function unsupported(message: string): KinesisError {
  return invalidPolicyDocument(`${message} This server evaluates only ${[...OPERATORS.keys()].join(', ')} on aws:PrincipalAccount, aws:PrincipalArn and aws:SecureTransport.`);
}

function conditionValues(value: unknown, operator: string, key: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > POLICY_CONDITION_VALUES_MAX) {
    throw invalidPolicyDocument(`condition ${operator} ${key} must have 1 to ${POLICY_CONDITION_VALUES_MAX} values.`);
  }
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    throw invalidPolicyDocument(`condition ${operator} ${key} has a value that is not a string.`);
  });
}

/** Parses a statement's Condition member; throws InvalidArgumentException for what cannot be evaluated. */
export function parseConditionBlock(block: unknown): PolicyCondition[] {
  if (typeof block !== 'object' || block === null || Array.isArray(block)) throw invalidPolicyDocument('Condition must be an object.');
  const out: PolicyCondition[] = [];
  for (const [operator, keys] of Object.entries(block as Record<string, unknown>)) {
    const rule = OPERATORS.get(operator);
    if (!rule) throw unsupported(`the condition operator ${operator} cannot be evaluated by this server.`);
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw invalidPolicyDocument(`condition ${operator} must map keys to values.`);
    for (const [rawKey, value] of Object.entries(keys as Record<string, unknown>)) {
      const key = KEYS.find((k) => k === rawKey.toLowerCase());
      if (!key) throw unsupported(`the condition key ${rawKey} cannot be evaluated by this server.`);
      if ((rule.matcher === 'bool') !== (key === 'aws:securetransport')) throw unsupported(`the condition ${operator} cannot be applied to ${rawKey}.`);
      out.push({ operator, key, values: conditionValues(value, operator, rawKey) });
    }
  }
  return out;
}

function requestValue(key: ConditionKey, context: ConditionContext): string | undefined {
  switch (key) {
    case 'aws:principalaccount': return context.principalAccount;
    case 'aws:principalarn': return context.principalArn;
    case 'aws:securetransport': return String(context.secureTransport);
  }
}

function matches(matcher: Matcher, actual: string, expected: string): boolean {
  switch (matcher) {
    case 'equals': return actual === expected;
    case 'equals-ignore-case': return actual.toLowerCase() === expected.toLowerCase();
    case 'like': return wildcardMatch(expected, actual, false);
    case 'bool': return actual === expected.toLowerCase();
  }
}

/** True when every condition holds for the request (an empty list holds). */
export function conditionsHold(conditions: readonly PolicyCondition[], context: ConditionContext): boolean {
  return conditions.every((c) => {
    const rule = OPERATORS.get(c.operator)!;
    const actual = requestValue(c.key, context);
    // A key the request does not have: the positive operators fail, the negated ones hold (as in IAM).
    if (actual === undefined) return rule.negated;
    const any = c.values.some((v) => matches(rule.matcher, actual, v));
    return rule.negated ? !any : any;
  });
}

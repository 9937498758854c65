/**
 * Resource-based policy documents (the IAM policy grammar) as Kinesis
 * stores them on streams and consumers: parsed and checked once, at
 * PutResourcePolicy, into a typed form that `evaluatePolicy` reads.
 *
 * What this server understands, and therefore accepts:
 *   Version   "2012-10-17" or "2008-10-17" (optional), Id (optional)
 *   Statement one statement or a list of them, each with
 *     Sid        optional string
 *     Effect     "Allow" | "Deny"
 *     Principal  "*" or {"AWS": "*" | account id | account root ARN | IAM user/role ARN, or a list of them}
 *     Action | NotAction       "*" or "service:Action" patterns with * and ? (one of the two)
 *     Resource | NotResource   "*" or ARN patterns with * and ? (one of the two)
 *     Condition  only the operators and keys in policy-conditions.ts
 * Anything else (NotPrincipal, other principal types, other condition
 * operators or keys) is refused with a message saying what is not
 * supported: a policy is never stored with a part that would be ignored.
 */
import { KinesisError, invalidPolicyDocument } from '../errors';
import { POLICY_DOCUMENT_CHARS_MAX, POLICY_STATEMENTS_MAX } from '../limits';
import { parseConditionBlock, type PolicyCondition } from './policy-conditions';

export type PolicyEffect = 'Allow' | 'Deny';

/** Who a statement applies to: everyone, or accounts (by id) and principals (by exact ARN). */
export interface PolicyPrincipals {
  readonly anyone: boolean;
  /** 12-digit account ids: every principal of that account (from "123456789012" or "arn:aws:iam::123456789012:root"). */
  readonly accounts: readonly string[];
  /** IAM user or role ARNs, matched exactly. */
  readonly arns: readonly string[];
}

/** A list of patterns, or its negation (NotAction / NotResource). */
export interface PatternSet {
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: PolicyEffect;
  readonly principals: PolicyPrincipals;
  readonly actions: PatternSet;
  readonly resources: PatternSet;
  readonly conditions: readonly PolicyCondition[];
}

export interface PolicyDocument {
  readonly version?: string;
  readonly statements: readonly PolicyStatement[];
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/;
const ACTION_PATTERN = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/;
const RESOURCE_ARN_PATTERN = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/;

function invalid(message: string): KinesisError {
  return new KinesisError('InvalidArgumentException', message);
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a non-empty list of strings (the IAM grammar's "one or many"). */
function stringList(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v): v is string => typeof v === 'string' && v.length > 0)) {
    throw invalidPolicyDocument(`${what} must be a non-empty string or a list of non-empty strings.`);
  }
  return list;
}

function parsePrincipals(statement: Readonly<Record<string, unknown>>): PolicyPrincipals {
  if (statement['NotPrincipal'] !== undefined) throw invalidPolicyDocument('NotPrincipal is not supported by this server; name the principals with Principal.');
  const principal = statement['Principal'];
  if (principal === undefined) throw invalidPolicyDocument('a resource-based policy statement must have a Principal.');
  if (principal === '*') return { anyone: true, accounts: [], arns: [] };
  if (!isRecord(principal)) throw invalid(`Invalid principal in policy: ${JSON.stringify(principal)}`);
  const types = Object.keys(principal);
  const other = types.find((t) => t !== 'AWS');
  if (other !== undefined) throw invalid(`Invalid principal in policy: "${other}" principals are not supported by this server (only "AWS").`);
  if (types.length === 0) throw invalid('Invalid principal in policy: {}');
  const accounts: string[] = [];
  const arns: string[] = [];
  let anyone = false;
  for (const p of stringList(principal['AWS'], 'Principal.AWS')) {
    const root = ROOT_ARN.exec(p);
    if (p === '*') anyone = true;
    else if (ACCOUNT_ID.test(p)) accounts.push(p);
    else if (root) accounts.push(root[1]!);
    else if (IAM_PRINCIPAL_ARN.test(p)) arns.push(p);
    else throw invalid(`Invalid principal in policy: "AWS":"${p}"`);
  }
  return { anyone, accounts, arns };
}

function parseActions(statement: Readonly<Record<string, unknown>>): PatternSet {
  const { Action: action, NotAction: notAction } = statement;
  if ((action === undefined) === (notAction === undefined)) {
    throw invalidPolicyDocument('each statement must have exactly one of Action or NotAction.');
  }
  const negated = action === undefined;
  const patterns = stringList(negated ? notAction : action, negated ? 'NotAction' : 'Action');
  for (const p of patterns) {
    if (p !== '*' && !ACTION_PATTERN.test(p)) {
      throw invalidPolicyDocument(`invalid action '${p}'. Actions must be prefaced by a vendor, e.g. kinesis:PutRecord.`);
    }
  }
  return { negated, patterns };
}

function parseResources(statement: Readonly<Record<string, unknown>>): PatternSet {
  const { Resource: resource, NotResource: notResource } = statement;
  if ((resource === undefined) === (notResource === undefined)) {
    throw invalidPolicyDocument('each statement must have exactly one of Resource or NotResource.');
  }
  const negated = resource === undefined;
  const patterns = stringList(negated ? notResource : resource, negated ? 'NotResource' : 'Resource');
  for (const p of patterns) {
    if (p !== '*' && !RESOURCE_ARN_PATTERN.test(p)) throw invalidPolicyDocument(`Resource ${p} must be in ARN format or "*".`);
  }
  return { negated, patterns };
}

function parseStatement(raw: unknown, index: number): PolicyStatement {
  if (!isRecord(raw)) throw invalidPolicyDocument(`Statement ${index + 1} must be an object.`);
  const unknown = Object.keys(raw).find((k) => !STATEMENT_KEYS.has(k));
  if (unknown !== undefined) throw invalidPolicyDocument(`unknown field ${unknown} in statement ${index + 1}.`);
  const { Sid: sid, Effect: effect } = raw;
  if (sid !== undefined && typeof sid !== 'string') throw invalidPolicyDocument('Sid must be a string.');
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw invalidPolicyDocument(effect === undefined ? `statement ${index + 1} is missing required field Effect.` : `invalid effect: ${String(effect)}`);
  }
  return {
    ...(sid !== undefined ? { sid } : {}),
    effect,
    principals: parsePrincipals(raw),
    actions: parseActions(raw),
    resources: parseResources(raw),
    conditions: raw['Condition'] === undefined ? [] : parseConditionBlock(raw['Condition']),
  };
}

/**
 * Parses and checks a policy document (the PutResourcePolicy `Policy`
 * string). Throws InvalidArgumentException saying what is wrong or not
 * supported; the returned document is what evaluation reads.
 */
export function parsePolicyDocument(text: string): PolicyDocument {
  if (text.length > POLICY_DOCUMENT_CHARS_MAX) throw invalidPolicyDocument(`a policy may have at most ${POLICY_DOCUMENT_CHARS_MAX} characters.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalidPolicyDocument('the policy is not valid JSON.');
  }
  if (!isRecord(raw)) throw invalidPolicyDocument('the policy must be a JSON object.');
  const unknown = Object.keys(raw).find((k) => k !== 'Version' && k !== 'Id' && k !== 'Statement');
  if (unknown !== undefined) throw invalidPolicyDocument(`unknown field ${unknown}.`);
  const version = raw['Version'];
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.includes(version))) {
    throw invalidPolicyDocument(`the policy must contain a valid version string (${VERSIONS.join(' or ')}).`);
  }
  if (raw['Id'] !== undefined && typeof raw['Id'] !== 'string') throw invalidPolicyDocument('Id must be a string.');
  const statement = raw['Statement'];
  if (statement === undefined) throw invalidPolicyDocument('the policy is missing required field Statement.');
  const list = Array.isArray(statement) ? statement : [statement];
  if (list.length === 0) throw invalidPolicyDocument('Statement must not be empty.');
  if (list.length > POLICY_STATEMENTS_MAX) throw invalidPolicyDocument(`a policy may have at most ${POLICY_STATEMENTS_MAX} statements.`);
  return { ...(typeof version === 'string' ? { version } : {}), statements: list.map(parseStatement) };
}

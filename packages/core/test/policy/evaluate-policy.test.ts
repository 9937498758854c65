import { strict as assert } from 'node:assert';
import { accessDeniedMessage, decideAccess, evaluatePolicy, type AccessRequest } from '../../src/policy/evaluate-policy';
import { parsePolicyDocument } from '../../src/policy/policy-document';
import { wildcardMatch } from '../../src/policy/wildcard';

const OWNER = '111122223333';
const OTHER = '444455556666';
const STREAM = `arn:aws:kinesis:us-east-1:${OWNER}:stream/orders`;
const ALICE = `arn:aws:iam::${OTHER}:user/alice`;

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return { principalAccount: OTHER, principalArn: ALICE, operation: 'PutRecord', resourceArn: STREAM, resourceAccount: OWNER, secureTransport: false, ...overrides };
}

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const allowOther = { Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'kinesis:PutRecord', Resource: STREAM };

describe('resource policy evaluation', () => {
  const table: Array<{ name: string; policy?: string; req: AccessRequest; allowed: boolean; reason?: string }> = [
    { name: 'own account, no policy', req: request({ principalAccount: OWNER, principalArn: `arn:aws:iam::${OWNER}:user/bob` }), allowed: true },
    { name: 'other account, no policy', req: request(), allowed: false, reason: 'no-allow' },
    { name: 'other account, Allow by account id', policy: policy(allowOther), req: request(), allowed: true },
    { name: 'other account, Allow by root ARN', policy: policy({ ...allowOther, Principal: { AWS: `arn:aws:iam::${OTHER}:root` } }), req: request(), allowed: true },
    { name: 'other account, Allow by user ARN', policy: policy({ ...allowOther, Principal: { AWS: [ALICE] } }), req: request(), allowed: true },
    { name: 'Allow for another user of that account', policy: policy({ ...allowOther, Principal: { AWS: `arn:aws:iam::${OTHER}:user/carol` } }), req: request(), allowed: false, reason: 'no-allow' },
    { name: 'Allow to everyone', policy: policy({ ...allowOther, Principal: '*' }), req: request(), allowed: true },
    { name: 'Allow for a different action', policy: policy({ ...allowOther, Action: 'kinesis:GetRecords' }), req: request(), allowed: false, reason: 'no-allow' },
    { name: 'action wildcard kinesis:Put*', policy: policy({ ...allowOther, Action: 'kinesis:Put*' }), req: request({ operation: 'PutRecords' }), allowed: true },
    { name: 'action wildcard is case-insensitive', policy: policy({ ...allowOther, Action: 'KINESIS:put?ecord' }), req: request(), allowed: true },
    { name: 'action *', policy: policy({ ...allowOther, Action: '*' }), req: request({ operation: 'GetShardIterator' }), allowed: true },
    { name: 'NotAction excludes', policy: policy({ ...allowOther, Action: undefined, NotAction: 'kinesis:PutRecord' }), req: request(), allowed: false, reason: 'no-allow' },
    { name: 'NotAction includes others', policy: policy({ ...allowOther, Action: undefined, NotAction: 'kinesis:PutRecord' }), req: request({ operation: 'ListShards' }), allowed: true },
    { name: 'resource of another stream', policy: policy({ ...allowOther, Resource: `arn:aws:kinesis:us-east-1:${OWNER}:stream/other` }), req: request(), allowed: false, reason: 'no-allow' },
    { name: 'resource wildcard', policy: policy({ ...allowOther, Resource: `arn:aws:kinesis:*:${OWNER}:stream/ord*` }), req: request(), allowed: true },
    { name: 'resource is case-sensitive', policy: policy({ ...allowOther, Resource: `arn:aws:kinesis:us-east-1:${OWNER}:stream/ORDERS` }), req: request(), allowed: false, reason: 'no-allow' },
    { name: 'Deny beats Allow', policy: policy(allowOther, { ...allowOther, Effect: 'Deny' }), req: request(), allowed: false, reason: 'explicit-deny' },
    { name: 'Deny applies to the own account too', policy: policy({ Effect: 'Deny', Principal: '*', Action: 'kinesis:*', Resource: '*' }), req: request({ principalAccount: OWNER }), allowed: false, reason: 'explicit-deny' },
    { name: 'Deny unless TLS: plain request', policy: policy(allowOther, { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), req: request(), allowed: false, reason: 'explicit-deny' },
    { name: 'Deny unless TLS: TLS request', policy: policy(allowOther, { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': false } } }), req: request({ secureTransport: true }), allowed: true },
    { name: 'condition on the principal account', policy: policy({ ...allowOther, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': [OTHER] } } }), req: request(), allowed: true },
    { name: 'condition on the principal account fails', policy: policy({ ...allowOther, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '999999999999' } } }), req: request(), allowed: false, reason: 'no-allow' },
    { name: 'ArnLike on the principal', policy: policy({ ...allowOther, Principal: '*', Condition: { ArnLike: { 'aws:principalarn': `arn:aws:iam::${OTHER}:user/al*` } } }), req: request(), allowed: true },
    { name: 'StringNotEquals holds for other values', policy: policy({ ...allowOther, Condition: { StringNotEquals: { 'aws:PrincipalArn': 'x' } } }), req: request(), allowed: true },
    { name: 'an Allow cannot share a control operation', policy: policy({ ...allowOther, Action: 'kinesis:*' }), req: request({ operation: 'DeleteStream' }), allowed: false, reason: 'no-allow' },
  ];
  for (const row of table) {
    it(row.name, () => {
      const doc = row.policy !== undefined ? parsePolicyDocument(row.policy) : undefined;
      const decision = decideAccess(doc, row.req);
      assert.equal(decision.allowed, row.allowed);
      if (!decision.allowed) assert.equal(decision.reason, row.reason);
    });
  }

  it('reports deny, allow and none', () => {
    const doc = parsePolicyDocument(policy(allowOther, { ...allowOther, Effect: 'Deny', Action: 'kinesis:GetRecords' }));
    assert.equal(evaluatePolicy(doc, request()), 'allow');
    assert.equal(evaluatePolicy(doc, request({ operation: 'GetRecords' })), 'deny');
    assert.equal(evaluatePolicy(doc, request({ operation: 'ListShards' })), 'none');
  });

  it("words the refusal as AWS does", () => {
    assert.equal(accessDeniedMessage(request(), 'no-allow'),
      `User: ${ALICE} is not authorized to perform: kinesis:PutRecord on resource: ${STREAM} because no resource-based policy allows the kinesis:PutRecord action`);
    assert.equal(accessDeniedMessage(request(), 'explicit-deny'),
      `User: ${ALICE} is not authorized to perform: kinesis:PutRecord on resource: ${STREAM} with an explicit deny in a resource-based policy`);
  });
});

describe('wildcard matching', () => {
  const rows: Array<[string, string, boolean]> = [
    ['*', '', true], ['*', 'anything', true], ['a*c', 'abbbc', true], ['a*c', 'abbbd', false], ['a?c', 'abc', true], ['a?c', 'ac', false],
    ['*b*', 'aaabaaa', true], ['a**', 'a', true], ['abc', 'abcd', false], ['*:stream/*', 'arn:x:stream/s', true], ['*a*a*a*a*b', 'a'.repeat(200), false],
  ];
  for (const [pattern, text, expected] of rows) {
    it(`${JSON.stringify(pattern)} ~ ${JSON.stringify(text.slice(0, 20))} is ${expected}`, () => assert.equal(wildcardMatch(pattern, text, false), expected));
  }
});

import { strict as assert } from 'node:assert';
import { KinesisError } from '../../src/errors';
import { parsePolicyDocument } from '../../src/policy/policy-document';

const ARN = 'arn:aws:kinesis:us-east-1:111122223333:stream/orders';
const good = { Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: ARN };

function refused(doc: unknown, includes: string): void {
  const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
  assert.throws(() => parsePolicyDocument(text), (err: unknown) => {
    assert.ok(err instanceof KinesisError);
    assert.equal(err.type, 'InvalidArgumentException');
    assert.ok(err.message.includes(includes), `"${err.message}" should include "${includes}"`);
    return true;
  });
}

describe('resource policy documents', () => {
  it('parses a typical sharing policy', () => {
    const doc = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Id: 'writePolicy', Statement: [{ Sid: 'w', ...good }] }));
    assert.equal(doc.version, '2012-10-17');
    assert.equal(doc.statements.length, 1);
    const s = doc.statements[0]!;
    assert.equal(s.sid, 'w');
    assert.deepEqual(s.principals, { anyone: false, accounts: ['444455556666'], arns: [] });
    assert.deepEqual(s.actions, { negated: false, patterns: ['kinesis:PutRecord', 'kinesis:PutRecords'] });
    assert.deepEqual(s.resources, { negated: false, patterns: [ARN] });
  });

  it('accepts a single statement object and root / user / role principals', () => {
    const doc = parsePolicyDocument(JSON.stringify({ Statement: { ...good, Principal: { AWS: ['arn:aws:iam::444455556666:root', 'arn:aws:iam::444455556666:role/reader', 'arn:aws:iam::444455556666:user/a/b'] } } }));
    assert.deepEqual(doc.statements[0]!.principals, { anyone: false, accounts: ['444455556666'], arns: ['arn:aws:iam::444455556666:role/reader', 'arn:aws:iam::444455556666:user/a/b'] });
  });

  const bad: Array<[string, unknown, string]> = [
    ['not JSON', '{"Statement": [', 'not valid JSON'],
    ['not an object', '[]', 'must be a JSON object'],
    ['no Statement', { Version: '2012-10-17' }, 'missing required field Statement'],
    ['empty Statement', { Statement: [] }, 'must not be empty'],
    ['bad version', { Version: '2020-01-01', Statement: [good] }, 'valid version string'],
    ['unknown top-level field', { Statement: [good], Foo: 1 }, 'unknown field Foo'],
    ['missing Effect', { Statement: [{ ...good, Effect: undefined }] }, 'missing required field Effect'],
    ['bad Effect', { Statement: [{ ...good, Effect: 'Maybe' }] }, 'invalid effect: Maybe'],
    ['missing Principal', { Statement: [{ ...good, Principal: undefined }] }, 'must have a Principal'],
    ['NotPrincipal', { Statement: [{ ...good, Principal: undefined, NotPrincipal: { AWS: '444455556666' } }] }, 'NotPrincipal is not supported'],
    ['service principal', { Statement: [{ ...good, Principal: { Service: 'lambda.amazonaws.com' } }] }, '"Service" principals are not supported'],
    ['garbage principal', { Statement: [{ ...good, Principal: { AWS: 'bob' } }] }, 'Invalid principal in policy: "AWS":"bob"'],
    ['Action and NotAction', { Statement: [{ ...good, NotAction: 'kinesis:GetRecords' }] }, 'exactly one of Action or NotAction'],
    ['no Action', { Statement: [{ ...good, Action: undefined }] }, 'exactly one of Action or NotAction'],
    ['action without vendor', { Statement: [{ ...good, Action: 'PutRecord' }] }, "invalid action 'PutRecord'"],
    ['empty action list', { Statement: [{ ...good, Action: [] }] }, 'Action must be a non-empty string'],
    ['no Resource', { Statement: [{ ...good, Resource: undefined }] }, 'exactly one of Resource or NotResource'],
    ['resource not an ARN', { Statement: [{ ...good, Resource: 'orders' }] }, 'must be in ARN format'],
    ['unknown statement field', { Statement: [{ ...good, Principals: '*' }] }, 'unknown field Principals'],
    ['condition operator not evaluated', { Statement: [{ ...good, Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } }] }, 'the condition operator DateGreaterThan cannot be evaluated by this server'],
    ['condition key not evaluated', { Statement: [{ ...good, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } }] }, 'the condition key aws:SourceVpce cannot be evaluated by this server'],
    ['IfExists operator', { Statement: [{ ...good, Condition: { StringEqualsIfExists: { 'aws:PrincipalAccount': '1' } } }] }, 'StringEqualsIfExists cannot be evaluated'],
    ['Bool on a string key', { Statement: [{ ...good, Condition: { Bool: { 'aws:PrincipalArn': 'true' } } }] }, 'cannot be applied to aws:PrincipalArn'],
    ['too long', 'x'.repeat(20481), 'at most 20480 characters'],
  ];
  for (const [name, doc, includes] of bad) {
    it(`refuses ${name}`, () => refused(doc, includes));
  }
});

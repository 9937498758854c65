/**
 * Resource policies through the dispatcher with verified SigV4 and two
 * accounts: Put/Get/DeleteResourcePolicy, and their enforcement (another
 * account reaches a stream by ARN only with an Allow; a Deny stops anyone).
 */
import assert from 'node:assert/strict';
import { credentialScopeAuthenticator, sigv4Authenticator } from '../../src/auth/authenticator';
import { parseCredentials } from '../../src/auth/credentials-file';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher } from '../../src/dispatcher';
import type { ApiConfig } from '../../src/operation';
import { OPERATIONS } from '../../src/operations/index';
import { ClusterView, ScriptedStorage, addStream, fakeContext, okAppend, parseBody } from '../helpers/fake-context';
import { signRequest, type SigningKey } from '../helpers/signature';

const OWNER = '111122223333';
const OTHER = '444455556666';
const ALICE: SigningKey = { accessKeyId: 'AKIAALICE', secretAccessKey: 'a' };
const CAROL: SigningKey = { accessKeyId: 'AKIACAROL', secretAccessKey: 'c' };
const ARN = `arn:aws:kinesis:us-east-1:${OWNER}:stream/orders`;
const CREDENTIALS = `[alice]\naws_access_key_id=${ALICE.accessKeyId}\naws_secret_access_key=a\naws_account_id=${OWNER}\n` +
  `[carol]\naws_access_key_id=${CAROL.accessKeyId}\naws_secret_access_key=c\naws_account_id=${OTHER}\n`;
const CAROL_ARN = `arn:aws:iam::${OTHER}:user/carol`;

function setup(auth: ApiConfig['auth'] = 'sigv4') {
  const view = new ClusterView();
  addStream(view, 'orders', 1, ['n1'], OWNER);
  addStream(view, 'orders', 2, ['n1'], OTHER);
  const base = fakeContext(view, new ScriptedStorage(okAppend()));
  const ctx = { ...base, config: { ...base.config, auth } };
  const identities = parseCredentials(CREDENTIALS);
  const authenticator = auth === 'sigv4' ? sigv4Authenticator({ lookup: (k) => identities.get(k) }, Date.now) : credentialScopeAuthenticator(ctx.config);
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(new Map()), authenticator);
  const call = async (key: SigningKey, op: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const bytes = Buffer.from(JSON.stringify(body));
    const headers = await signRequest(key, 'localhost:4567', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}` }, bytes);
    const res = await dispatcher.handle({ method: 'POST', url: '/', headers, body: bytes });
    return { status: res.status, body: parseBody(res.body as Buffer) };
  };
  return { view, call };
}

const policy = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allowCarol = (actions: string[]): string => policy({ Effect: 'Allow', Principal: { AWS: CAROL_ARN }, Action: actions.map((a) => `kinesis:${a}`), Resource: ARN });
const denied = (op: string, why = `because no resource-based policy allows the kinesis:${op} action`) => ({
  __type: 'AccessDeniedException', message: `User: ${CAROL_ARN} is not authorized to perform: kinesis:${op} on resource: ${ARN} ${why}`,
});

describe('resource policies (--auth sigv4)', () => {
  it('keeps two accounts apart: each sees its own stream of the same name', async () => {
    const { call } = setup();
    const mine = await call(ALICE, 'DescribeStreamSummary', { StreamName: 'orders' });
    const theirs = await call(CAROL, 'DescribeStreamSummary', { StreamName: 'orders' });
    assert.equal((mine.body['StreamDescriptionSummary'] as { StreamARN: string }).StreamARN, ARN);
    assert.equal((theirs.body['StreamDescriptionSummary'] as { StreamARN: string }).StreamARN, `arn:aws:kinesis:us-east-1:${OTHER}:stream/orders`);
    assert.deepEqual((await call(CAROL, 'ListStreams', {})).body['StreamNames'], ['orders']);
  });

  it('refuses another account by ARN until the policy allows the action, then allows exactly that', async () => {
    const { call } = setup();
    assert.deepEqual(await call(CAROL, 'DescribeStreamSummary', { StreamARN: ARN }), { status: 400, body: denied('DescribeStreamSummary') });
    assert.deepEqual(await call(ALICE, 'PutResourcePolicy', { ResourceARN: ARN, Policy: allowCarol(['DescribeStreamSummary', 'PutRecord', 'ListShards', 'GetShardIterator']) }), { status: 200, body: {} });
    const described = await call(CAROL, 'DescribeStreamSummary', { StreamARN: ARN });
    assert.equal(described.status, 200, JSON.stringify(described.body));
    assert.equal((described.body['StreamDescriptionSummary'] as { OpenShardCount: number }).OpenShardCount, 1);
    const put = await call(CAROL, 'PutRecord', { StreamARN: ARN, PartitionKey: 'k', Data: 'aGk=' });
    assert.equal(put.body['ShardId'], 'shardId-000000000000');
    const shards = await call(CAROL, 'ListShards', { StreamARN: ARN });
    assert.equal((shards.body['Shards'] as unknown[]).length, 1);
    const it = await call(CAROL, 'GetShardIterator', { StreamARN: ARN, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
    assert.equal(typeof it.body['ShardIterator'], 'string');
    // Not granted: reading records with that iterator, and control operations (not shareable at all).
    assert.deepEqual(await call(CAROL, 'GetRecords', { ShardIterator: it.body['ShardIterator'] }), { status: 400, body: denied('GetRecords') });
    assert.deepEqual(await call(CAROL, 'PutRecords', { StreamARN: ARN, Records: [{ PartitionKey: 'k', Data: 'aGk=' }] }), { status: 400, body: denied('PutRecords') });
    assert.deepEqual(await call(CAROL, 'DeleteStream', { StreamARN: ARN }), { status: 400, body: denied('DeleteStream') });
  });

  it('reaches another account\'s consumer by ARN only with the consumer\'s own policy', async () => {
    const { view, call } = setup();
    const stream = view.stream({ accountId: OWNER, region: 'us-east-1', streamName: 'orders' })!.value;
    const consumerArn = `${ARN}/consumer/reader:1700000000`;
    view.consumers.set(stream.streamId, 'reader', {
      modRevision: '1',
      value: { streamId: stream.streamId, streamArn: ARN, consumerName: 'reader', consumerArn, status: 'ACTIVE', createdMs: 1_700_000_000_000, tags: {} },
    });
    const deniedOn = (op: string) => ({
      __type: 'AccessDeniedException',
      message: `User: ${CAROL_ARN} is not authorized to perform: kinesis:${op} on resource: ${consumerArn} because no resource-based policy allows the kinesis:${op} action`,
    });
    assert.deepEqual(await call(CAROL, 'DescribeStreamConsumer', { ConsumerARN: consumerArn }), { status: 400, body: deniedOn('DescribeStreamConsumer') });
    // The stream's policy does not cover its consumers: a consumer has a policy of its own.
    assert.equal((await call(ALICE, 'PutResourcePolicy', { ResourceARN: ARN, Policy: allowCarol(['DescribeStreamConsumer']) })).status, 200);
    assert.deepEqual(await call(CAROL, 'DescribeStreamConsumer', { ConsumerARN: consumerArn }), { status: 400, body: deniedOn('DescribeStreamConsumer') });
    const consumerPolicy = policy({ Effect: 'Allow', Principal: { AWS: CAROL_ARN }, Action: 'kinesis:DescribeStreamConsumer', Resource: consumerArn });
    assert.deepEqual(await call(ALICE, 'PutResourcePolicy', { ResourceARN: consumerArn, Policy: consumerPolicy }), { status: 200, body: {} });
    const described = await call(CAROL, 'DescribeStreamConsumer', { ConsumerARN: consumerArn });
    assert.equal(described.status, 200, JSON.stringify(described.body));
    assert.equal((described.body['ConsumerDescription'] as { ConsumerARN: string }).ConsumerARN, consumerArn);
    assert.deepEqual(await call(CAROL, 'DeregisterStreamConsumer', { ConsumerARN: consumerArn }), { status: 400, body: deniedOn('DeregisterStreamConsumer') });
    assert.equal((await call(ALICE, 'GetResourcePolicy', { ResourceARN: consumerArn })).body['Policy'], consumerPolicy);
  });

  it('puts a policy on a consumer only once it is ACTIVE, as Kinesis answers', async () => {
    const { view, call } = setup();
    const stream = view.stream({ accountId: OWNER, region: 'us-east-1', streamName: 'orders' })!.value;
    const consumerArn = `${ARN}/consumer/reader:1700000000`;
    const consumer = { streamId: stream.streamId, streamArn: ARN, consumerName: 'reader', consumerArn, createdMs: 1_700_000_000_000, tags: {} };
    view.consumers.set(stream.streamId, 'reader', { modRevision: '1', value: { ...consumer, status: 'CREATING' } });
    const consumerPolicy = policy({ Effect: 'Allow', Principal: { AWS: CAROL_ARN }, Action: 'kinesis:DescribeStreamConsumer', Resource: consumerArn });
    assert.deepEqual(await call(ALICE, 'PutResourcePolicy', { ResourceARN: consumerArn, Policy: consumerPolicy }), {
      status: 400,
      body: { __type: 'ResourceInUseException', message: `Consumer reader with creation timestamp 1700000000 under stream orders and account ${OWNER} is not in ACTIVE status.` },
    });
    assert.equal((await call(ALICE, 'GetResourcePolicy', { ResourceARN: consumerArn })).body['Policy'], '{}');
    view.consumers.set(stream.streamId, 'reader', { modRevision: '2', value: { ...consumer, status: 'ACTIVE' } });
    assert.deepEqual(await call(ALICE, 'PutResourcePolicy', { ResourceARN: consumerArn, Policy: consumerPolicy }), { status: 200, body: {} });
  });

  it('lets only the owner read and change the policy', async () => {
    const { call } = setup();
    assert.deepEqual((await call(ALICE, 'GetResourcePolicy', { ResourceARN: ARN })).body, { Policy: '{}' });
    const text = allowCarol(['PutRecord']);
    await call(ALICE, 'PutResourcePolicy', { ResourceARN: ARN, Policy: text });
    assert.deepEqual((await call(ALICE, 'GetResourcePolicy', { ResourceARN: ARN })).body, { Policy: text });
    assert.deepEqual((await call(CAROL, 'GetResourcePolicy', { ResourceARN: ARN })).body, denied('GetResourcePolicy'));
    assert.deepEqual((await call(CAROL, 'PutResourcePolicy', { ResourceARN: ARN, Policy: text })).body, denied('PutResourcePolicy'));
    assert.deepEqual(await call(ALICE, 'DeleteResourcePolicy', { ResourceARN: ARN }), { status: 200, body: {} });
    assert.deepEqual((await call(CAROL, 'PutRecord', { StreamARN: ARN, PartitionKey: 'k', Data: 'aGk=' })).body, denied('PutRecord'));
    assert.deepEqual((await call(ALICE, 'DeleteResourcePolicy', { ResourceARN: ARN })).body, { __type: 'ResourceNotFoundException', message: `No resource policy found for resource ${ARN}.` });
  });

  it('refuses malformed policies and conditions it cannot evaluate, and unknown resources', async () => {
    const { call, view } = setup();
    assert.deepEqual((await call(ALICE, 'PutResourcePolicy', { ResourceARN: ARN, Policy: '{"Statement":' })).body, { __type: 'InvalidArgumentException', message: 'Invalid policy document: the policy is not valid JSON.' });
    const conditional = policy({ Effect: 'Allow', Principal: '*', Action: 'kinesis:PutRecord', Resource: ARN, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    const refused = await call(ALICE, 'PutResourcePolicy', { ResourceARN: ARN, Policy: conditional });
    assert.equal(refused.body['__type'], 'InvalidArgumentException');
    assert.match(String(refused.body['message']), /^Invalid policy document: the condition operator IpAddress cannot be evaluated by this server\./);
    assert.equal(view.policies.size, 0);
    assert.deepEqual((await call(ALICE, 'PutResourcePolicy', { ResourceARN: `arn:aws:kinesis:us-east-1:${OWNER}:stream/nope`, Policy: allowCarol(['PutRecord']) })).body,
      { __type: 'ResourceNotFoundException', message: `Stream nope under account ${OWNER} not found.` });
    const badArn = await call(ALICE, 'GetResourcePolicy', { ResourceARN: 'orders' });
    assert.equal(badArn.body['__type'], 'ValidationException');
  });

  it('applies an explicit Deny to the owner too, and a policy only to the stream it was put on', async () => {
    const { call, view } = setup();
    const denyPuts = policy({ Effect: 'Deny', Principal: '*', Action: 'kinesis:Put*', Resource: ARN, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    await call(ALICE, 'PutResourcePolicy', { ResourceARN: ARN, Policy: denyPuts });
    const refused = await call(ALICE, 'PutRecord', { StreamName: 'orders', PartitionKey: 'k', Data: 'aGk=' });
    assert.equal(refused.body['__type'], 'AccessDeniedException');
    assert.match(String(refused.body['message']), /with an explicit deny in a resource-based policy$/);
    assert.equal((await call(ALICE, 'DescribeStreamSummary', { StreamName: 'orders' })).status, 200);
    // The same ARN, a new stream (deleted and created again): the old policy does not apply.
    const stream = view.stream({ accountId: OWNER, region: 'us-east-1', streamName: 'orders' })!;
    view.setStream(`${OWNER}/us-east-1/orders`, { value: { ...stream.value, streamId: 'id-recreated' }, modRevision: '9' });
    view.shards.set('id-recreated', view.shards.get(stream.value.streamId)!);
    assert.equal((await call(ALICE, 'PutRecord', { StreamName: 'orders', PartitionKey: 'k', Data: 'aGk=' })).status, 200);
  });

  it('without --auth there is one account: another account ARN is not found', async () => {
    const { call } = setup('none');
    assert.deepEqual((await call(CAROL, 'DescribeStreamSummary', { StreamARN: `arn:aws:kinesis:us-east-1:${OTHER}:stream/orders` })).body,
      { __type: 'ResourceNotFoundException', message: `Stream arn:aws:kinesis:us-east-1:${OTHER}:stream/orders not found.` });
  });
});

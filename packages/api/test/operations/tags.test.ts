/** Tagging operations over an in-memory view: Kinesis' answers, limits and characters, and nothing changed by a refused call. */
import assert from 'node:assert/strict';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, jsonCaller, liveContext } from '../helpers/fake-context';

const ARN = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/s`;

function setup() {
  const view = new ClusterView();
  addStream(view, 's', 1);
  const call = jsonCaller(liveContext(view, new ScriptedStorage()));
  const tags = () => view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 's' })!.value.tags;
  return { view, call, tags };
}

describe('tags', () => {
  it('adds, overwrites, lists sorted with Limit and ExclusiveStartTagKey, and removes (missing keys ignored)', async () => {
    const { call, tags } = setup();
    assert.deepEqual(await call('AddTagsToStream', { StreamName: 's', Tags: { b: '2', a: '1', 'ü0 _.': '', '/=+-@:': 'x' } }), { status: 200, body: {} });
    await call('AddTagsToStream', { StreamARN: ARN, Tags: { a: 'one' } });
    assert.deepEqual(tags(), { b: '2', a: 'one', 'ü0 _.': '', '/=+-@:': 'x' });
    const page = await call('ListTagsForStream', { StreamName: 's', Limit: 2 });
    assert.deepEqual(page.body, { Tags: [{ Key: '/=+-@:', Value: 'x' }, { Key: 'a', Value: 'one' }], HasMoreTags: true });
    const rest = await call('ListTagsForStream', { StreamName: 's', ExclusiveStartTagKey: 'a' });
    assert.deepEqual(rest.body, { Tags: [{ Key: 'b', Value: '2' }, { Key: 'ü0 _.', Value: '' }], HasMoreTags: false });
    await call('RemoveTagsFromStream', { StreamName: 's', TagKeys: ['a', 'nope'] });
    assert.deepEqual(Object.keys(tags()).sort(), ['/=+-@:', 'b', 'ü0 _.']);
  });

  it('tags by resource ARN: TagResource, UntagResource, ListTagsForResource', async () => {
    const { call } = setup();
    await call('TagResource', { ResourceARN: ARN, Tags: { team: 'data', env: 'prod' } });
    assert.deepEqual((await call('ListTagsForResource', { ResourceARN: ARN })).body, { Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'data' }] });
    await call('UntagResource', { ResourceARN: ARN, TagKeys: ['env'] });
    assert.deepEqual((await call('ListTagsForResource', { ResourceARN: ARN })).body, { Tags: [{ Key: 'team', Value: 'data' }] });
    for (const arn of [`arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/missing`, 'arn:aws:kinesis:us-east-1:111122223333:stream/s',
      `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/s/consumer/c:1`]) {
      assert.deepEqual((await call('ListTagsForResource', { ResourceARN: arn })).body, { __type: 'ResourceNotFoundException', message: `Resource ${arn} not found.` });
    }
  });

  it('tags a registered consumer by its ARN', async () => {
    const { call, view } = setup();
    const stream = view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 's' })!.value;
    const consumerArn = `${ARN}/consumer/reader:1700000000`;
    view.consumers.set(stream.streamId, 'reader', {
      modRevision: '1', value: { streamId: stream.streamId, streamArn: ARN, consumerName: 'reader', consumerArn, status: 'ACTIVE', createdMs: 1_700_000_000_000, tags: { a: '1' } },
    });
    assert.equal((await call('TagResource', { ResourceARN: consumerArn, Tags: { team: 'data' } })).status, 200);
    assert.deepEqual((await call('ListTagsForResource', { ResourceARN: consumerArn })).body, { Tags: [{ Key: 'a', Value: '1' }, { Key: 'team', Value: 'data' }] });
    assert.equal((await call('UntagResource', { ResourceARN: consumerArn, TagKeys: ['a'] })).status, 200);
    assert.deepEqual(view.consumers.byConsumerArn(consumerArn)!.value.tags, { team: 'data' });
    // The stream's own tags are untouched.
    assert.deepEqual((await call('ListTagsForResource', { ResourceARN: ARN })).body, { Tags: [] });
  });

  it('refuses a 51st tag, bad characters and % with Kinesis\' messages, changing nothing', async () => {
    const { call, tags } = setup();
    for (let i = 0; i < 5; i++) {
      const batch = Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`k${i * 10 + j}`, 'v']));
      assert.equal((await call('AddTagsToStream', { StreamName: 's', Tags: batch })).status, 200);
    }
    assert.equal(Object.keys(tags()).length, 50);
    assert.deepEqual((await call('AddTagsToStream', { StreamName: 's', Tags: { k0: 'overwrite is fine' } })).status, 200);
    assert.deepEqual((await call('TagResource', { ResourceARN: ARN, Tags: { extra: 'v' } })).body, {
      __type: 'InvalidArgumentException',
      message: `Failed to add tags to stream s under account ${ACCOUNT} because a given stream cannot have more than 10 tags associated with it.`,
    });
    for (const bad of [{ 'a;b': '1' }, { a: 'tab\there' }, { a: 'new\nline' }, { 'a,b': '1' }]) {
      assert.deepEqual((await call('AddTagsToStream', { StreamName: 's', Tags: bad })).body, {
        __type: 'InvalidArgumentException', message: 'Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.',
      });
    }
    assert.deepEqual((await call('RemoveTagsFromStream', { StreamName: 's', TagKeys: ['50%'] })).body, {
      __type: 'InvalidArgumentException',
      message: `Failed to remove tags from stream s under account ${ACCOUNT} because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.`,
    });
    assert.equal(tags()['k0'], 'overwrite is fine');
    assert.equal(Object.keys(tags()).length, 50);
  });

  it('validates as the model says: 1..200 tags per call, 1..50 keys, Limit 1..50, key and value lengths', async () => {
    const { call } = setup();
    const v = async (op: string, body: unknown) => (await call(op, body)).body['message'];
    assert.equal(await v('AddTagsToStream', { StreamName: 's', Tags: {} }),
      "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1");
    assert.equal(await v('RemoveTagsFromStream', { StreamName: 's', TagKeys: ['a', 'x'.repeat(129)] }),
      `1 validation error detected: Value '[a, ${'x'.repeat(129)}]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: ` +
      '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]');
    assert.equal(await v('UntagResource', { ResourceARN: ARN, TagKeys: Array.from({ length: 51 }, (_, i) => String(i)) }),
      `1 validation error detected: Value '[${Array.from({ length: 51 }, (_, i) => String(i)).join(', ')}]' at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50`);
    assert.equal(await v('ListTagsForStream', { StreamName: 's', Limit: 51 }),
      "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50");
    assert.equal(await v('TagResource', { ResourceARN: 'arn:aws:s3:::bucket', Tags: { a: 'b' } }),
      "1 validation error detected: Value 'arn:aws:s3:::bucket' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:.*stream/\\S+");
    assert.equal(await v('ListTagsForResource', {}), "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null");
    assert.equal((await call('AddTagsToStream', { StreamName: 'missing', Tags: { a: 'b' } })).body['__type'], 'ResourceNotFoundException');
  });

  it('takes tags at CreateStream with the same characters and quota', async () => {
    const { call, view } = setup();
    assert.equal((await call('CreateStream', { StreamName: 'c', ShardCount: 1, Tags: { a: 'b' } })).status, 200);
    assert.deepEqual(view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 'c' })!.value.tags, { a: 'b' });
    assert.equal((await call('CreateStream', { StreamName: 'd', ShardCount: 1, Tags: { 'a;': 'b' } })).body['__type'], 'InvalidArgumentException');
    assert.equal(view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 'd' }), undefined);
  });
});

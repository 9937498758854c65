/**
 * The consumer registry and SubscribeToShard's checks through the
 * dispatcher, over the in-memory view (etcd's writes played by
 * MemoryConsumers): ARNs, statuses, limits, listing, deregistration,
 * DeleteStream's EnforceConsumerDeletion, and the takeover window.
 */
import assert from 'node:assert/strict';
import { positionSequenceNumber } from '@shoal/core';
import { recordSequenceNumber, shardCreatedSecs } from '../../src/streams/sequence-numbers';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher } from '../../src/dispatcher';
import { OPERATIONS } from '../../src/operations/index';
import { ACCOUNT, ClusterView, ScriptedStorage, addStream, fakeContext, parseBody } from '../helpers/fake-context';
import { FakeSink } from '../helpers/fake-sink';
import { UNVERIFIED_SIGNATURE } from '../helpers/signature';

const SHARD = 'shardId-000000000000';

function setup(subscriptionsMax = 1000) {
  const view = new ClusterView();
  const stream = addStream(view, 's', 2);
  const storage = new ScriptedStorage();
  storage.onSeek = async () => ({ error: 'OK', error_message: '', offset: 7 });
  const ctx = fakeContext(view, storage, () => undefined, 1_700_000_000_000, { subscriptionsMax });
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(new Map()));
  const raw = (op: string, body: unknown) => dispatcher.handle({
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}`, ...UNVERIFIED_SIGNATURE },
    body: Buffer.from(JSON.stringify(body)),
  });
  const call = async (op: string, body: unknown) => {
    const res = await raw(op, body);
    assert.ok(Buffer.isBuffer(res.body), `${op} answered a stream`);
    return { status: res.status, body: parseBody(res.body as Buffer) };
  };
  /** The controller's CREATING -> ACTIVE, as its plan would commit it. */
  const activate = (name: string): void => {
    const c = view.consumers.get(stream.streamId, name)!;
    view.consumers.set(stream.streamId, name, { value: { ...c.value, status: 'ACTIVE' }, modRevision: `${c.modRevision}1` });
  };
  return { view, stream, ctx, storage, raw, call, activate };
}

describe('consumer registry operations', () => {
  it('registers a consumer CREATING with an ARN holding its creation second, and describes it both ways', async () => {
    const t = setup();
    const reg = await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'app', Tags: { team: 'x' } });
    assert.equal(reg.status, 200);
    const arn = `${t.stream.streamArn}/consumer/app:1700000000`;
    assert.deepEqual(reg.body['Consumer'], { ConsumerName: 'app', ConsumerARN: arn, ConsumerStatus: 'CREATING', ConsumerCreationTimestamp: 1700000000 });
    assert.deepEqual(t.view.consumers.byConsumerArn(arn)!.value.tags, { team: 'x' });
    t.activate('app');
    const byArn = await t.call('DescribeStreamConsumer', { ConsumerARN: arn });
    const byName = await t.call('DescribeStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'app' });
    assert.deepEqual(byArn.body, byName.body);
    assert.deepEqual(byArn.body['ConsumerDescription'], {
      ConsumerName: 'app', ConsumerARN: arn, ConsumerStatus: 'ACTIVE', ConsumerCreationTimestamp: 1700000000, StreamARN: t.stream.streamArn,
    });
    const neither = await t.call('DescribeStreamConsumer', { ConsumerName: 'app' });
    assert.equal(neither.body['__type'], 'InvalidArgumentException');
    const missing = await t.call('DescribeStreamConsumer', { ConsumerARN: `${t.stream.streamArn}/consumer/nope:1700000000` });
    assert.equal(missing.body['__type'], 'ResourceNotFoundException');
    const otherAccount = await t.call('DescribeStreamConsumer', { ConsumerARN: arn.replace(ACCOUNT, '123456789012') });
    assert.equal(otherAccount.body['__type'], 'ResourceNotFoundException');
  });

  it('refuses a duplicate name, a 21st consumer and a 6th CREATING one, changing nothing', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) assert.equal((await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: `c${i}` })).status, 200);
    const sixth = await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'c5' });
    assert.equal(sixth.body['__type'], 'LimitExceededException');
    for (let i = 0; i < 5; i++) t.activate(`c${i}`);
    const dup = await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'c0' });
    assert.equal(dup.body['__type'], 'ResourceInUseException');
    for (let i = 5; i < 20; i++) {
      assert.equal((await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: `c${i}` })).status, 200);
      t.activate(`c${i}`);
    }
    const over = await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'c20' });
    assert.equal(over.body['__type'], 'LimitExceededException');
    assert.equal(t.view.consumers.of(t.stream.streamId).length, 20);
    const summary = await t.call('DescribeStreamSummary', { StreamName: 's' });
    assert.equal((summary.body['StreamDescriptionSummary'] as Record<string, unknown>)['ConsumerCount'], 20);
  });

  it('lists consumers oldest first in pages of MaxResults with a NextToken', async () => {
    const t = setup();
    for (let i = 0; i < 7; i++) {
      t.ctx.setNow(1_700_000_000_000 + i * 1000);
      await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: `c${i}` });
      t.activate(`c${i}`);
    }
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.call('ListStreamConsumers', token ? { StreamARN: t.stream.streamArn, NextToken: token, MaxResults: 3 } : { StreamARN: t.stream.streamArn, MaxResults: 3 });
      names.push(...(page.body['Consumers'] as Array<{ ConsumerName: string }>).map((c) => c.ConsumerName));
      token = page.body['NextToken'] as string | undefined;
      pages++;
    } while (token);
    assert.deepEqual(names, ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    assert.equal(pages, 3);
    const wrongCreation = await t.call('ListStreamConsumers', { StreamARN: t.stream.streamArn, StreamCreationTimestamp: 5 });
    assert.equal(wrongCreation.body['__type'], 'ResourceNotFoundException');
    const right = await t.call('ListStreamConsumers', { StreamARN: t.stream.streamArn, StreamCreationTimestamp: t.stream.createdMs / 1000 });
    assert.equal((right.body['Consumers'] as unknown[]).length, 7);
  });

  it('deregisters to DELETING once, and DeleteStream needs EnforceConsumerDeletion while consumers exist', async () => {
    const t = setup();
    await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'app' });
    const refused = await t.call('DeleteStream', { StreamName: 's' });
    assert.equal(refused.body['__type'], 'ResourceInUseException');
    assert.equal(refused.body['message'], `DeleteStream can\u2019t delete ${ACCOUNT}:s because there are consumers associated with this data stream. `
      + 'To delete s anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of all the consumers that are associated with it.');
    assert.equal(t.view.stream({ accountId: ACCOUNT, region: 'us-east-1', streamName: 's' })!.value.status, 'ACTIVE');
    assert.equal((await t.call('DeregisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'app' })).status, 200);
    assert.equal(t.view.consumers.get(t.stream.streamId, 'app')!.value.status, 'DELETING');
    const again = await t.call('DeregisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'app' });
    assert.equal(again.body['__type'], 'ResourceInUseException');
    assert.equal((await t.call('DeleteStream', { StreamName: 's', EnforceConsumerDeletion: true })).status, 200);
  });
});

describe('SubscribeToShard checks', () => {
  async function registered(t: ReturnType<typeof setup>): Promise<string> {
    const reg = await t.call('RegisterStreamConsumer', { StreamARN: t.stream.streamArn, ConsumerName: 'app' });
    return (reg.body['Consumer'] as { ConsumerARN: string }).ConsumerARN;
  }

  it('refuses a consumer that is not ACTIVE, an unknown shard, and a number of another shard', async () => {
    const t = setup();
    const arn = await registered(t);
    const creating = await t.call('SubscribeToShard', { ConsumerARN: arn, ShardId: SHARD, StartingPosition: { Type: 'LATEST' } });
    assert.equal(creating.body['__type'], 'ResourceInUseException');
    assert.equal(creating.body['message'],
      `Consumer app with creation timestamp ${Math.floor(t.view.consumers.get(t.stream.streamId, 'app')!.value.createdMs / 1000)} under stream: s , account ${ACCOUNT} is not in ACTIVE status.`);
    t.activate('app');
    const unknown = await t.call('SubscribeToShard', { ConsumerARN: arn, ShardId: 'shardId-000000000009', StartingPosition: { Type: 'LATEST' } });
    assert.equal(unknown.body['__type'], 'ResourceNotFoundException');
    const shard1 = t.view.shard(t.stream.streamId, 'shardId-000000000001')!.value;
    const other = recordSequenceNumber(shard1, shardCreatedSecs(shard1), 3, 2_000_000);
    const wrong = await t.call('SubscribeToShard', { ConsumerARN: arn, ShardId: SHARD, StartingPosition: { Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: other } });
    assert.equal(wrong.body['__type'], 'InvalidArgumentException');
    const noNumber = await t.call('SubscribeToShard', { ConsumerARN: arn, ShardId: SHARD, StartingPosition: { Type: 'AFTER_SEQUENCE_NUMBER' } });
    assert.equal(noNumber.body['__type'], 'InvalidArgumentException');
    const dry = await t.call('SubscribeToShard', { ConsumerARN: arn, ShardId: SHARD, StartingPosition: { Type: 'LATEST' }, DryRun: true });
    assert.equal(dry.body['__type'], 'DryRunOperationException');
    assert.equal(t.ctx.fanOut.size(), 0);
  });

  it('answers an event stream starting where the position says (a position number resumes at its offset)', async () => {
    const t = setup();
    const arn = await registered(t);
    t.activate('app');
    const shard0 = t.view.shard(t.stream.streamId, SHARD)!.value;
    const position = positionSequenceNumber(shardCreatedSecs(shard0), 0, 0n);
    const res = await t.raw('SubscribeToShard', { ConsumerARN: arn, ShardId: SHARD, StartingPosition: { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.amazon.eventstream');
    assert.ok(!Buffer.isBuffer(res.body));
    res.body.pipe(new FakeSink());
    assert.equal(t.storage.subscriptions[0]!.request.from_offset, 0);
    t.ctx.timers.advance(10_000);
    const latest = await t.raw('SubscribeToShard', { ConsumerARN: arn, ShardId: 'shardId-000000000001', StartingPosition: { Type: 'LATEST' } });
    assert.ok(!Buffer.isBuffer(latest.body));
    latest.body.pipe(new FakeSink());
    assert.equal(t.storage.subscriptions.find((x) => x.request.shard?.shard_id === 'shardId-000000000001')!.request.from_offset, 7);
    assert.equal(t.ctx.fanOut.size(), 2);
  });

  it('refuses a second subscription within the takeover window and lets a later one take over', async () => {
    const t = setup();
    const arn = await registered(t);
    t.activate('app');
    const body = { ConsumerARN: arn, ShardId: SHARD, StartingPosition: { Type: 'TRIM_HORIZON' } };
    const first = await t.raw('SubscribeToShard', body);
    assert.equal(first.status, 200);
    t.ctx.setNow(1_700_000_004_000);
    const early = await t.call('SubscribeToShard', body);
    assert.equal(early.body['__type'], 'ResourceInUseException');
    assert.equal(early.body['message'], `Another active subscription exists for this consumer: ${arn}`);
    t.ctx.setNow(1_700_000_005_000);
    const later = await t.raw('SubscribeToShard', body);
    assert.equal(later.status, 200);
  });

  it('answers LimitExceededException when the process serves its most subscriptions', async () => {
    const t = setup(1);
    const arn = await registered(t);
    t.activate('app');
    const first = await t.raw('SubscribeToShard', { ConsumerARN: arn, ShardId: SHARD, StartingPosition: { Type: 'TRIM_HORIZON' } });
    assert.ok(!Buffer.isBuffer(first.body));
    first.body.pipe(new FakeSink());
    const second = await t.call('SubscribeToShard', { ConsumerARN: arn, ShardId: 'shardId-000000000001', StartingPosition: { Type: 'TRIM_HORIZON' } });
    assert.equal(second.body['__type'], 'LimitExceededException');
    assert.equal(t.ctx.fanOut.size(), 1);
  });
});

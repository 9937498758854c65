import assert from 'node:assert/strict';
import { ClusterView, Keys, type ConsumerRecord, type StreamRecord } from '@shoal/metadata';
import { planConsumerChanges } from '../src/consumer-plans';
import { planStreamDeletion } from '../src/plans';

const keys = new Keys('/t/');
const REF = { accountId: '000000000000', region: 'us-east-1', streamName: 'orders' };

function stream(status: StreamRecord['status']): StreamRecord {
  return {
    ...REF, streamId: 'id-1', streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders', status, mode: 'PROVISIONED',
    initialShardCount: 1, retentionPeriodHours: 24, createdMs: 0, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {}, nextShardIndex: 1,
  };
}

function consumer(streamId: string, name: string, status: ConsumerRecord['status']): ConsumerRecord {
  return { streamId, streamArn: 'arn', consumerName: name, consumerArn: `arn/consumer/${name}:1`, status, createdMs: 1000, tags: {} };
}

function viewWith(s: StreamRecord | undefined, consumers: ConsumerRecord[]): ClusterView {
  const view = new ClusterView();
  if (s) view.setStream('000000000000/us-east-1/orders', { value: s, modRevision: '7' });
  consumers.forEach((c, i) => view.consumers.set(c.streamId, c.consumerName, { value: c, modRevision: String(20 + i) }));
  return view;
}

describe('consumer plans', () => {
  it('makes CREATING consumers ACTIVE and removes DELETING ones, each guarded by its revision; ACTIVE ones need nothing', () => {
    const view = viewWith(stream('ACTIVE'), [consumer('id-1', 'a', 'CREATING'), consumer('id-1', 'b', 'DELETING'), consumer('id-1', 'c', 'ACTIVE')]);
    const plans = planConsumerChanges(view, keys, () => true);
    assert.equal(plans.length, 2);
    assert.deepEqual(plans[0]!.compare, [{ key: '/t/consumers/id-1/a', modRevision: '20' }]);
    assert.deepEqual(plans[0]!.puts, [{ key: '/t/consumers/id-1/a', value: { ...consumer('id-1', 'a', 'ACTIVE') } }]);
    assert.deepEqual(plans[1]!.deletes, ['/t/consumers/id-1/b']);
    assert.deepEqual(plans[1]!.compare, [{ key: '/t/consumers/id-1/b', modRevision: '21' }]);
  });

  it('moves a CREATING or DELETING consumer only when it is due (it has shown that status long enough)', () => {
    const view = viewWith(stream('ACTIVE'), [consumer('id-1', 'a', 'CREATING'), consumer('id-1', 'b', 'DELETING')]);
    const asked: string[] = [];
    assert.deepEqual(planConsumerChanges(view, keys, (streamId, c) => { asked.push(`${streamId}/${c.consumerName} ${c.status}`); return false; }), []);
    assert.deepEqual(asked, ['id-1/a CREATING', 'id-1/b DELETING']);
    const onlyA = planConsumerChanges(view, keys, (_, c) => c.consumerName === 'a');
    assert.deepEqual(onlyA.map((p) => p.reason), ['consumer a of orders ACTIVE']);
  });

  it('removes consumers whose stream is gone, with the stream registration guard', () => {
    const view = viewWith(undefined, [consumer('gone', 'a', 'ACTIVE')]);
    assert.deepEqual(planConsumerChanges(view, keys, () => false).map((p) => p.deletes), [['/t/consumers/gone/a', '/t/consumer-registry/gone']], 'at once, due or not');
  });

  it('deletes a DELETING stream\'s consumers first, then its shards and the stream', () => {
    const withConsumers = viewWith(stream('DELETING'), [consumer('id-1', 'a', 'ACTIVE'), consumer('id-1', 'b', 'CREATING')]);
    const first = planStreamDeletion(withConsumers, keys, withConsumers.stream(REF)!);
    assert.deepEqual(first.deletes, ['/t/consumers/id-1/a', '/t/consumers/id-1/b', '/t/consumer-registry/id-1']);
    assert.deepEqual(first.compare, [{ key: '/t/streams/000000000000/us-east-1/orders', modRevision: '7' }]);
    const without = viewWith(stream('DELETING'), []);
    assert.deepEqual(planStreamDeletion(without, keys, without.stream(REF)!).deletes, ['/t/streams/000000000000/us-east-1/orders']);
  });
});

/**
 * Consumer registrations and subscription claims against a real etcd:
 * registrations racing at the per-stream limit never exceed it, the view
 * follows consumers by stream and ARN, and a claim refuses others until its
 * lease expires, then the next claim is announced to every watcher.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd, type EtcdCluster } from '@shoal/testkit';
import { MetadataStore, type ConsumerRecord, type MetadataChange } from '../src';

const WAIT_MS = 10_000;

function consumer(name: string, createdMs = 1_700_000_000_000): ConsumerRecord {
  const streamArn = 'arn:aws:kinesis:us-east-1:000000000000:stream/s';
  return { streamId: 'sid', streamArn, consumerName: name, consumerArn: `${streamArn}/consumer/${name}:${createdMs / 1000}`, status: 'CREATING', createdMs, tags: {} };
}

describe('ConsumerStore (real etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdCluster | undefined;
  let store: MetadataStore | undefined;
  let other: MetadataStore | undefined;

  before(async () => {
    etcd = await startEtcd();
    store = new MetadataStore({ endpoints: [etcd.endpoint], prefix: '/consumer-test/' });
    other = new MetadataStore({ endpoints: [etcd.endpoint], prefix: '/consumer-test/' });
    await store.start();
    await other.start();
  });

  after(async () => {
    await store?.close();
    await other?.close();
    await etcd?.stop();
  });

  it('lets at most the limit through when registrations race from two processes', async () => {
    const limit = 5;
    const check = (existing: readonly ConsumerRecord[]): string | undefined => (existing.length >= limit ? 'limit' : undefined);
    const attempts = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? store! : other!).consumers.registerConsumer(consumer(`c${i}`), check));
    const outcomes = await Promise.all(attempts);
    const ok = outcomes.filter((o) => o.ok).length;
    assert.equal(ok, limit);
    assert.ok(outcomes.every((o) => o.ok || o.refusal === 'limit' || o.refusal === 'busy'));
    await store!.waitFor((v) => v.consumers.of('sid').length === limit, WAIT_MS);
    const listed = store!.view.consumers.of('sid');
    assert.equal(new Set(listed.map((c) => c.value.consumerName)).size, limit);
    const first = listed[0]!.value;
    assert.equal(store!.view.consumers.byConsumerArn(first.consumerArn)?.value.consumerName, first.consumerName);
  });

  it('changes a consumer only at the revision read, and the view drops a deleted one from both indexes', async () => {
    const c = store!.view.consumers.of('sid')[0]!;
    assert.ok(await store!.consumers.updateConsumer({ ...c.value, status: 'ACTIVE' }, c.modRevision));
    assert.equal(await store!.consumers.updateConsumer({ ...c.value, status: 'DELETING' }, c.modRevision), false);
    await store!.waitFor((v) => v.consumers.get('sid', c.value.consumerName)?.value.status === 'ACTIVE', WAIT_MS);
    assert.ok(await store!.commit({ compare: [], deletes: [store!.keys.consumer('sid', c.value.consumerName)] }));
    await store!.waitFor((v) => v.consumers.get('sid', c.value.consumerName) === undefined, WAIT_MS);
    assert.equal(store!.view.consumers.byConsumerArn(c.value.consumerArn), undefined);
  });

  it('refuses a second claim until the lease of the first expires; every watcher sees each claim', async () => {
    const seen: Array<Extract<MetadataChange, { kind: 'subscription' }>> = [];
    const unsubscribe = other!.onChange((ch) => { if (ch.kind === 'subscription') seen.push(ch); });
    try {
      const a = { subscriptionId: 'a', apiId: 'api-1', startedMs: 1 };
      const b = { subscriptionId: 'b', apiId: 'api-2', startedMs: 2 };
      assert.ok(await store!.consumers.claimSubscription('sid', 'c0', 'shardId-000000000000', a, 2));
      assert.equal(await other!.consumers.claimSubscription('sid', 'c0', 'shardId-000000000000', b, 2), false);
      // Another shard or consumer is a different claim.
      assert.ok(await other!.consumers.claimSubscription('sid', 'c0', 'shardId-000000000001', b, 2));
      const deadline = Date.now() + WAIT_MS;
      let taken = false;
      while (!taken && Date.now() < deadline) {
        await sleep(250);
        taken = await other!.consumers.claimSubscription('sid', 'c0', 'shardId-000000000000', b, 2);
      }
      assert.ok(taken, 'the claim expired with its lease');
      await other!.waitFor(() => seen.filter((s) => s.shardId === 'shardId-000000000000' && s.value?.subscriptionId === 'b').length === 1, WAIT_MS);
      assert.deepEqual(seen.filter((s) => s.shardId === 'shardId-000000000000' && s.value).map((s) => s.value!.subscriptionId), ['a', 'b']);
    } finally {
      unsubscribe();
    }
  });
});

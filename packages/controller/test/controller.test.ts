/**
 * The controller against a real etcd: election, CREATING -> ACTIVE,
 * DELETING -> gone, and failover when a leader's lease ends. Storage
 * nodes are stood in for by their etcd registrations (leases).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lease } from 'etcd3';
import { MetadataStore, type NodeRecord, type StreamRecord } from '@shoal/metadata';
import { startEtcd, type EtcdCluster } from '@shoal/testkit';
import { createLogger } from '@shoal/wire';
import { Controller } from '../src/controller';
import { STREAM_CREATING_MS, STREAM_DELETING_MS, STREAM_UPDATING_MS } from '../src/controller-limits';

const WAIT_MS = 8000;

function streamRecord(name: string, shards: number): StreamRecord {
  return {
    accountId: '000000000000', region: 'us-east-1', streamName: name, streamId: `${name}-id`, streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`, status: 'CREATING', mode: 'PROVISIONED',
    initialShardCount: shards, retentionPeriodHours: 24, createdMs: 0, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {}, nextShardIndex: 0,
  };
}

describe('Controller (real etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdCluster | undefined;
  let store: MetadataStore;
  const controllers: Controller[] = [];
  const leases = new Map<string, Lease>();

  before(async () => {
    etcd = await startEtcd();
    store = new MetadataStore({ endpoints: [etcd.endpoint], prefix: '/test/' });
    await store.start();
    for (const id of ['a1', 'b1', 'c1']) {
      const node: NodeRecord = { nodeId: id, az: `az-${id[0]}`, grpcAddress: '127.0.0.1:1', httpAddress: 'http://127.0.0.1:1', pid: 1, startedMs: 0 };
      leases.set(id, await store.registerNode(node, 2));
    }
    for (const id of ['ctl-1', 'ctl-2']) {
      const ctl = new Controller({
        id, store, nowMs: () => Date.now(), failoverGraceMs: 0, log: createLogger('controller', { id }, 'error'),
        metrics: { commit: () => undefined, setActive: () => undefined, shardCounterPoll: () => undefined },
      });
      ctl.start();
      controllers.push(ctl);
    }
  });

  after(async () => {
    for (const c of controllers) await c.stop();
    for (const l of leases.values()) await l.revoke().catch(() => undefined);
    await store?.close();
    await etcd?.stop();
  });

  it('elects exactly one controller', async () => {
    for (let i = 0; i < 80 && !controllers.some((c) => c.active); i++) await sleep(100);
    assert.equal(controllers.filter((c) => c.active).length, 1);
  });

  /** What a storage node does once it opened its replicas: report the revision applied (schema.ts NodeApplied). */
  async function nodesApplied(): Promise<void> {
    for (const [id, lease] of leases) await store.reportApplied(lease, id, { revision: store.view.revision });
  }

  it('creates the shards of a CREATING stream and sets it ACTIVE once the nodes opened them', async () => {
    assert.ok(await store.createStream(streamRecord('orders', 3)));
    await store.waitFor((v) => v.shardsOf('orders-id').length === 3, WAIT_MS);
    await sleep(300);
    assert.equal(store.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'orders' })?.value.status, 'CREATING');
    await nodesApplied();
    await store.waitFor((v) => v.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'orders' })?.value.status === 'ACTIVE', WAIT_MS);
    const shards = store.view.shardsOf('orders-id').map((s) => s.value);
    assert.equal(shards.length, 3);
    assert.deepEqual(shards.map((s) => s.leader), ['a1', 'b1', 'c1']);
    assert.equal(store.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'orders' })!.value.nextShardIndex, 3);
  });

  it('hands over to the standby when the active controller resigns', async () => {
    const active = controllers.find((c) => c.active)!;
    await active.stop();
    for (let i = 0; i < 80 && !controllers.some((c) => c.active); i++) await sleep(100);
    assert.equal(controllers.filter((c) => c.active).length, 1);
    const createdMs = Date.now();
    assert.ok(await store.createStream(streamRecord('events', 1)));
    await store.waitFor((v) => v.shardsOf('events-id').length === 1, WAIT_MS);
    await nodesApplied();
    await store.waitFor((v) => v.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 'events' })?.value.status === 'ACTIVE', WAIT_MS);
    // Replicas open within milliseconds, but a new stream shows CREATING for a while, as in Kinesis.
    assert.ok(Date.now() - createdMs >= STREAM_CREATING_MS, `ACTIVE after ${Date.now() - createdMs} ms`);
  });

  it('fails over a shard whose leader node is gone, bumping the epoch', async () => {
    const before = store.view.shard('orders-id', 'shardId-000000000000')!.value;
    assert.equal(before.leader, 'a1');
    await leases.get('a1')!.revoke();
    await store.waitFor((v) => v.shard('orders-id', 'shardId-000000000000')?.value.leader !== 'a1', WAIT_MS);
    const after = store.view.shard('orders-id', 'shardId-000000000000')!.value;
    assert.ok(after.leader === 'b1' || after.leader === 'c1');
    assert.equal(after.epoch, 2);
    assert.deepEqual(after.isr, ['b1', 'c1']);
    await store.waitFor((v) => v.shardsOf('orders-id').every((s) => !s.value.isr.includes('a1')), WAIT_MS);
    const untouched = store.view.shard('orders-id', 'shardId-000000000001')!.value;
    assert.equal(untouched.leader, 'b1');
    assert.equal(untouched.epoch, 1);
  });

  it('makes an UPDATING stream with nothing left to do ACTIVE once it has been UPDATING for STREAM_UPDATING_MS', async () => {
    const ref = { accountId: '000000000000', region: 'us-east-1', streamName: 'events' };
    const s = store.view.stream(ref)!;
    // Before the write: the controller may hear of it before the write's own answer arrives.
    const markedMs = Date.now();
    assert.ok(await store.updateStream({ ...s.value, status: 'UPDATING' }, s.modRevision));
    await sleep(STREAM_UPDATING_MS * 0.3);
    assert.equal(store.view.stream(ref)?.value.status, 'UPDATING');
    await store.waitFor((v) => v.stream(ref)?.value.status === 'ACTIVE', WAIT_MS);
    assert.ok(Date.now() - markedMs >= STREAM_UPDATING_MS, `ACTIVE after ${Date.now() - markedMs} ms`);
  });

  it('deletes a DELETING stream and its shards, once it has been DELETING for STREAM_DELETING_MS', async () => {
    const ref = { accountId: '000000000000', region: 'us-east-1', streamName: 'events' };
    const s = store.view.stream(ref)!;
    const markedMs = Date.now();
    assert.ok(await store.updateStream({ ...s.value, status: 'DELETING' }, s.modRevision));
    // Clients see the DELETING state for a while (DescribeStream right after DeleteStream), as in Kinesis.
    await sleep(STREAM_DELETING_MS * 0.3);
    assert.equal(store.view.stream(ref)?.value.status, 'DELETING');
    assert.ok(store.view.shardsOf('events-id').length > 0);
    await store.waitFor((v) => !v.stream(ref) && v.shardsOf('events-id').length === 0, WAIT_MS);
    assert.ok(Date.now() - markedMs >= STREAM_DELETING_MS, `gone after ${Date.now() - markedMs} ms`);
  });
});

/**
 * The watch-backed view against a real etcd: listeners never see part of a
 * transaction. The controller plans from the view inside its change
 * listener; before the fix it saw a reshard's done commit half applied (the
 * parent closed, the stream record still holding the round) and planned a
 * rollback of a round that was already done (chaos reshard-ctl-crash; the
 * commit's guard refused it).
 */
import assert from 'node:assert/strict';
import { startEtcd, type EtcdCluster } from '@shoal/testkit';
import { MetadataStore, type ShardRecord, type StreamRecord } from '../src';

const WAIT_MS = 10_000;

describe('MetadataStore watch (real etcd)', function () {
  this.timeout(30_000);
  let etcd: EtcdCluster | undefined;
  let store: MetadataStore | undefined;

  before(async () => {
    etcd = await startEtcd();
    store = new MetadataStore({ endpoints: [etcd.endpoint], prefix: '/watch-test/' });
    await store.start();
  });

  after(async () => {
    await store?.close().catch(() => undefined);
    await etcd?.stop();
  });

  it('announces the changes of a transaction only once the view holds all of it', async () => {
    const s = store!;
    const streamKey = s.keys.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' });
    const shardKey = s.keys.shard('id-1', 'shardId-000000000000');
    const seen: Array<[string | undefined, string | undefined]> = [];
    const off = s.onChange(() => seen.push([s.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })?.modRevision, s.view.shard('id-1', 'shardId-000000000000')?.modRevision]));
    try {
      for (let round = 1; round <= 3; round++) {
        const stream = s.view.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' });
        const shard = s.view.shard('id-1', 'shardId-000000000000');
        const ok = await s.commit({
          compare: [{ key: streamKey, modRevision: stream?.modRevision ?? '0' }, { key: shardKey, modRevision: shard?.modRevision ?? '0' }],
          puts: [
            { key: streamKey, value: { streamName: 's', streamId: 'id-1', round } as unknown as StreamRecord },
            { key: shardKey, value: { streamId: 'id-1', shardId: 'shardId-000000000000', round } as unknown as ShardRecord },
          ],
        });
        assert.equal(ok, true);
        await s.waitFor((v) => (v.stream({ accountId: '000000000000', region: 'us-east-1', streamName: 's' })?.value as unknown as { round: number } | undefined)?.round === round, WAIT_MS);
      }
    } finally {
      off();
    }
    assert.equal(seen.length, 6, 'two changes per transaction');
    for (const [streamRev, shardRev] of seen) assert.equal(streamRev, shardRev, `a listener saw half a transaction: ${JSON.stringify(seen)}`);
  });
});

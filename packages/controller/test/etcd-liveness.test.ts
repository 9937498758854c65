/**
 * Regression (chaos az-outage): a standby controller that only waits on its
 * campaign lost its election lease, and views went stale, because the etcd
 * client put the unary call deadline on its streams too. Each watch and
 * lease keepalive stream died every call timeout, three deaths opened the
 * client's circuit breaker, and the open breaker refused keepalives until
 * the lease expired. Here the call timeout is short (300 ms) so that a few
 * seconds span many timeouts; against a real etcd.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetadataStore, type NodeRecord } from '@shoal/metadata';
import { startEtcd, type EtcdCluster } from '@shoal/testkit';

const CALL_TIMEOUT_MS = 300;
const LEASE_TTL_SEC = 1;
/** Ten call timeouts, three lease TTLs. */
const QUIET_MS = 3_000;
const WATCH_DELIVERY_MS = 1_000;

describe('etcd liveness of a quiet process (real etcd)', function () {
  this.timeout(20_000);
  let etcd: EtcdCluster | undefined;
  let endpoint = '';
  const stores: MetadataStore[] = [];

  before(async () => {
    etcd = await startEtcd();
    endpoint = etcd.endpoint;
  });

  after(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await etcd?.stop();
  });

  async function store(): Promise<MetadataStore> {
    const s = new MetadataStore({ endpoints: [endpoint], prefix: '/liveness/', callTimeoutMs: CALL_TIMEOUT_MS });
    stores.push(s);
    await s.start();
    return s;
  }

  it('keeps a waiting campaign, a node lease and a live watch across many call timeouts', async () => {
    const active = await store();
    const standby = await store();
    const electionKey = active.keys.election();
    const first = active.client.election(electionKey, LEASE_TTL_SEC).campaign('ctl-1');
    await new Promise<void>((resolve, reject) => { first.once('elected', () => resolve()); first.once('error', reject); });
    const waiting = standby.client.election(electionKey, LEASE_TTL_SEC).campaign('ctl-2');
    const errors: string[] = [];
    waiting.on('error', (err: unknown) => errors.push(`campaign: ${String(err)}`));
    const node: NodeRecord = { nodeId: 'b1', az: 'az-b', grpcAddress: '127.0.0.1:1', httpAddress: 'http://127.0.0.1:1', pid: 1, startedMs: 0 };
    const lease = await standby.registerNode(node, LEASE_TTL_SEC);
    lease.on('lost', (err: unknown) => errors.push(`node lease: ${String(err)}`));

    await sleep(QUIET_MS);
    assert.deepEqual(errors, []);
    assert.ok(active.view.nodes.has('b1'), 'the node lease expired');

    // The standby's view still follows etcd: a change made elsewhere arrives promptly.
    await active.client.put(active.keys.node('x1')).value(JSON.stringify({ ...node, nodeId: 'x1' })).exec();
    await standby.waitFor((v) => v.nodes.has('x1'), WATCH_DELIVERY_MS);

    // And the standby takes over as soon as the active one resigns.
    const elected = new Promise<void>((resolve) => waiting.once('elected', () => resolve()));
    await first.resign();
    await Promise.race([elected, sleep(WATCH_DELIVERY_MS).then(() => assert.fail('standby not elected'))]);
    await waiting.resign();
    await lease.revoke();
  });
});

/**
 * MetadataStore against a real 3-member etcd cluster (as deployments run
 * it): each member in turn is SIGKILLed while a store holds a watch and a
 * kept-alive lease; unary calls, the watch and the keepalive must fail over
 * to the other members without losing the lease (chaos etcd-leader-kill).
 * Then a majority is stopped past the lease's TTL: the lease is reported
 * lost, and a new one is granted soon after quorum is back.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEtcd, type EtcdCluster } from '@shoal/testkit';
import { MetadataStore, type NodeRecord } from '../src';

const LEASE_TTL_SEC = 3;
/** How soon after a member's death a commit must succeed and be seen by the watch. */
const FAILOVER_MS_MAX = 5_000;
/** How soon after quorum is back a new lease must be granted. */
const RECOVERY_MS_MAX = 10_000;
const CALL_TIMEOUT_MS = 2_000;

const record: NodeRecord = { nodeId: 'n1', az: 'az-a', grpcAddress: '127.0.0.1:1', httpAddress: 'http://127.0.0.1:2', pid: 1, startedMs: 0 };

/** Commits the probe record with pid `value` (retrying until the deadline) and waits until the watch shows it; returns how long it took. */
async function putAndSee(store: MetadataStore, value: number, deadlineMs: number): Promise<number> {
  const t0 = Date.now();
  const probe: NodeRecord = { ...record, nodeId: 'probe', pid: value };
  for (;;) {
    try {
      if (await store.commit({ compare: [], puts: [{ key: store.keys.node('probe'), value: probe }] })) break;
    } catch (err) {
      if (Date.now() > deadlineMs) throw err;
      await sleep(100);
    }
  }
  await store.waitFor((v) => v.nodes.get('probe')?.pid === value, Math.max(1, deadlineMs - Date.now()));
  return Date.now() - t0;
}

describe('MetadataStore with 3 etcd members (real etcd)', function () {
  this.timeout(120_000);
  let members: EtcdCluster | undefined;
  let store: MetadataStore | undefined;

  before(async () => {
    members = await startEtcd({ members: 3 });
    store = new MetadataStore({ endpoints: members.clientUrls, prefix: '/members-test/', callTimeoutMs: CALL_TIMEOUT_MS });
    await store.start();
  });

  after(async () => {
    await store?.close().catch(() => undefined);
    await members?.stop();
  });

  it('keeps its lease, commits and watch through the kill of each member in turn', async () => {
    const s = store!;
    const m = members!;
    const lease = await s.registerNode(record, LEASE_TTL_SEC);
    let lost: Error | undefined;
    lease.on('lost', (err: Error) => { lost = err; });
    for (let i = 0; i < m.count; i++) {
      await m.kill(i);
      const tookMs = await putAndSee(s, i + 1, Date.now() + FAILOVER_MS_MAX);
      assert.ok(tookMs <= FAILOVER_MS_MAX, `member ${i} killed: commit seen after ${tookMs} ms`);
      // Longer than the lease's TTL with one member down: the keepalive must be running against a live member.
      await sleep(LEASE_TTL_SEC * 1000 + 500);
      assert.equal(lost, undefined, `lease lost with member ${i} down: ${lost?.message}`);
      assert.ok(s.view.nodes.has('n1'), `node record gone with member ${i} down`);
      m.start(i);
      await m.waitHealthy(m.clientUrls);
    }
  });

  it('reports the lease lost while a majority is stopped, and registers again soon after quorum is back', async () => {
    const s = store!;
    const m = members!;
    const lease = await s.registerNode({ ...record, nodeId: 'n2' }, LEASE_TTL_SEC);
    const lost = new Promise<void>((resolve) => lease.once('lost', () => resolve()));
    const stoppedMs = Date.now();
    m.signal(0, 'SIGSTOP');
    m.signal(1, 'SIGSTOP');
    const pauseMs = 4 * LEASE_TTL_SEC * 1000;
    const lostInTime = await Promise.race([lost.then(() => true), sleep(pauseMs).then(() => false)]);
    await sleep(Math.max(0, stoppedMs + pauseMs - Date.now()));
    m.signal(0, 'SIGCONT');
    m.signal(1, 'SIGCONT');
    assert.ok(lostInTime, `lease not reported lost within ${pauseMs} ms of losing quorum`);
    const t0 = Date.now();
    for (;;) {
      try {
        const again = await s.registerNode({ ...record, nodeId: 'n3' }, LEASE_TTL_SEC);
        again.release();
        break;
      } catch (err) {
        if (Date.now() - t0 > RECOVERY_MS_MAX) throw err;
        await sleep(200);
      }
    }
    const tookMs = await putAndSee(s, 100, t0 + RECOVERY_MS_MAX);
    assert.ok(Date.now() - t0 <= RECOVERY_MS_MAX, `quorum back: lease and commit after ${Date.now() - t0} ms (put ${tookMs} ms)`);
  });
});

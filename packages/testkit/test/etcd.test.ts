/** The etcd harness itself: members come up healthy on their own ports, stop kills them and removes their data. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { etcdHealthy, startEtcd } from '../src';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('testkit etcd (real etcd)', function () {
  this.timeout(60_000);

  it('starts one member, and stop kills it and removes its data directory', async () => {
    const etcd = await startEtcd();
    const pid = etcd.pid();
    assert.ok(await etcdHealthy(etcd.endpoint));
    assert.equal(etcd.commandLine()[etcd.commandLine().indexOf('--listen-client-urls') + 1], etcd.endpoint);
    assert.ok(existsSync(etcd.dataDir));
    await etcd.stop();
    assert.equal(alive(pid), false);
    assert.equal(existsSync(etcd.dataDir), false);
    assert.equal(await etcdHealthy(etcd.endpoint), false);
  });

  it('runs three members that keep serving with one killed, and restarts it on its data', async () => {
    const etcd = await startEtcd({ members: 3 });
    try {
      assert.equal(new Set(etcd.clientUrls).size, 3);
      await etcd.kill(1);
      assert.equal(await etcdHealthy(etcd.clientUrls[1]!), false);
      await etcd.waitHealthy([etcd.clientUrls[0]!, etcd.clientUrls[2]!]);
      etcd.start(1);
      await etcd.waitHealthy();
    } finally {
      await etcd.stop();
    }
    assert.equal(existsSync(etcd.dataDir), false);
  });
});

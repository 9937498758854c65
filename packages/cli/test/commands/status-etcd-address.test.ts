import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, type EtcdCluster } from '@shoal/testkit';
import { defaultConfig } from '../../src/cluster-config';
import { writeState } from '../../src/cluster-state';
import { collectStatus } from '../../src/commands/status';

/** A second loopback address (Linux routes all of 127/8 to lo): etcd there is not on the configured 127.0.0.1. */
const HOST = '127.0.0.2';

describe('status reads etcd where it was started', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let argv: string[];
  let etcdPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-status-'));
    etcd = await startEtcd({ host: HOST });
    etcdPort = etcd.clientPorts[0]!;
    argv = etcd.commandLine();
  });

  after(async () => {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the recorded etcd address, not the default host of the configuration', async () => {
    const config = { ...defaultConfig(dir), etcdPort };
    const entry = { name: 'etcd', role: 'etcd' as const, pid: etcd.pid(), address: etcd.endpoint, healthUrl: `${etcd.endpoint}/health`, logFile: join(dir, 'etcd.log'), argv };
    writeState(dir, { version: 1, config, processes: { etcd: entry } });
    const report = await collectStatus(dir);
    assert.equal(report.etcdError, undefined);
    assert.deepEqual(report.processes.map((p) => [p.name, p.alive]), [['etcd', true]]);
    assert.deepEqual(report.streams, []);
  });

  it('with several etcd members (etcd-1, etcd-2, ...) uses one that runs', async () => {
    const config = { ...defaultConfig(dir), etcdPort };
    const url = etcd.endpoint;
    const live = { name: 'etcd-2', role: 'etcd' as const, pid: etcd.pid(), address: url, healthUrl: `${url}/health`, logFile: join(dir, 'etcd.log'), argv };
    const dead = { ...live, name: 'etcd-1', pid: 0x3fffff, address: 'http://127.0.0.1:1' };
    writeState(dir, { version: 1, config, processes: { 'etcd-1': dead, 'etcd-2': live } });
    const report = await collectStatus(dir);
    assert.equal(report.etcdError, undefined);
    assert.deepEqual(report.processes.map((p) => [p.name, p.alive]), [['etcd-1', false], ['etcd-2', true]]);
  });
});

import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultConfig } from '../../src/cluster-config';
import { writeState } from '../../src/cluster-state';
import { collectStatus } from '../../src/commands/status';

/** A second loopback address (Linux routes all of 127/8 to lo): etcd there is not on the configured 127.0.0.1. */
const HOST = '127.0.0.2';
const ETCD_PORT = 19479;
const READY_WAIT_MS = 20_000;

describe('status reads etcd where it was started', () => {
  let dir: string;
  let etcd: ChildProcess;
  let argv: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-status-'));
    const url = `http://${HOST}:${ETCD_PORT}`;
    argv = ['etcd', '--name', 'status-test', '--data-dir', join(dir, 'etcd'), '--listen-client-urls', url, '--advertise-client-urls', url,
      '--listen-peer-urls', `http://${HOST}:${ETCD_PORT + 1}`, '--initial-advertise-peer-urls', `http://${HOST}:${ETCD_PORT + 1}`,
      '--initial-cluster', `status-test=http://${HOST}:${ETCD_PORT + 1}`];
    etcd = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    for (const deadline = Date.now() + READY_WAIT_MS; ;) {
      const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('etcd not healthy');
      await sleep(100);
    }
    argv[0] = readFileSync(`/proc/${etcd.pid!}/cmdline`, 'utf8').split('\0')[0]!;
  });

  after(() => {
    etcd.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the recorded etcd address, not the default host of the configuration', async () => {
    const config = { ...defaultConfig(dir), etcdPort: ETCD_PORT };
    const entry = { name: 'etcd', role: 'etcd' as const, pid: etcd.pid!, address: `http://${HOST}:${ETCD_PORT}`, healthUrl: `http://${HOST}:${ETCD_PORT}/health`, logFile: join(dir, 'etcd.log'), argv };
    writeState(dir, { version: 1, config, processes: { etcd: entry } });
    const report = await collectStatus(dir);
    assert.equal(report.etcdError, undefined);
    assert.deepEqual(report.processes.map((p) => [p.name, p.alive]), [['etcd', true]]);
    assert.deepEqual(report.streams, []);
  });

  it('with several etcd members (etcd-1, etcd-2, ...) uses one that runs', async () => {
    const config = { ...defaultConfig(dir), etcdPort: ETCD_PORT };
    const url = `http://${HOST}:${ETCD_PORT}`;
    const live = { name: 'etcd-2', role: 'etcd' as const, pid: etcd.pid!, address: url, healthUrl: `${url}/health`, logFile: join(dir, 'etcd.log'), argv };
    const dead = { ...live, name: 'etcd-1', pid: 0x3fffff, address: 'http://127.0.0.1:1' };
    writeState(dir, { version: 1, config, processes: { 'etcd-1': dead, 'etcd-2': live } });
    const report = await collectStatus(dir);
    assert.equal(report.etcdError, undefined);
    assert.deepEqual(report.processes.map((p) => [p.name, p.alive]), [['etcd-1', false], ['etcd-2', true]]);
  });
});

/**
 * A throwaway real etcd server for integration tests: its own data dir and
 * ports, healthy in about a second, killed by pid when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const HEALTH_TIMEOUT_MS = 10_000;
const HEALTH_POLL_MS = 100;

export interface EtcdProcess {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startEtcd(baseDir: string, clientPort: number, peerPort: number): Promise<EtcdProcess> {
  const dir = mkdtempSync(join(baseDir, 'etcd-'));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc: ChildProcess = spawn('etcd', [
    '--name', 't', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `t=${peer}`,
  ], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(`${client}/health`);
      if (res.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error('etcd did not become healthy');
    }
    await new Promise((r) => setTimeout(r, HEALTH_POLL_MS));
  }
  return {
    endpoint: client,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

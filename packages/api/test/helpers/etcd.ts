/** Starts a throwaway real etcd for integration tests (ports from SHOAL_TEST_ETCD_PORT, default 22479/22480). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetadataStore } from '@shoal/metadata';

export interface TestEtcd {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

export async function startEtcd(clientPort = Number(process.env['SHOAL_TEST_ETCD_PORT'] ?? 22479)): Promise<TestEtcd> {
  const peerPort = clientPort + 1;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-api-etcd-'));
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const child: ChildProcess = spawn('etcd', [
    '--name', 't', '--data-dir', dir, '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `t=http://127.0.0.1:${peerPort}`,
  ], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const client = new MetadataStore({ endpoints: [endpoint], prefix: '/ready/', callTimeoutMs: 1000 });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.iteratorKey();
        return { endpoint, stop };
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await client.close();
  }
}

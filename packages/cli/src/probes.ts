/** Health probes and bounded waits used by `up`, `run` and `status`. */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { Keys, type NodeRecord } from '@shoal/metadata';
import { PROBE_INTERVAL_MS, PROBE_TIMEOUT_MS, UP_WAIT_MS_MAX } from './cli-limits';

/** HTTP GET with a deadline: the status code and body, or undefined if nothing answered. */
function httpGet(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export async function isHealthy(url: string): Promise<boolean> {
  const res = await httpGet(url);
  return res !== undefined && res.status === 200;
}

/** Whether something already listens on host:port (a listen there fails with EADDRINUSE). */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/**
 * Polls `check` until it returns true, `failed` returns a reason, or
 * UP_WAIT_MS_MAX passes. Throws with the reason.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + UP_WAIT_MS_MAX;
  for (;;) {
    if (await check()) return;
    const why = failed();
    if (why) throw new Error(`${what}: ${why}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${UP_WAIT_MS_MAX} ms`);
    await sleep(PROBE_INTERVAL_MS);
  }
}

/** Node records registered in etcd right now (empty if etcd does not answer). */
export async function registeredNodes(etcdUrl: string, prefix?: string): Promise<NodeRecord[]> {
  const client = new Etcd3({ hosts: [etcdUrl], defaultCallOptions: () => ({ deadline: new Date(Date.now() + PROBE_TIMEOUT_MS) }) });
  try {
    const keys = new Keys(prefix);
    const values = await client.getAll().prefix(keys.nodes()).strings();
    return Object.values(values).map((v) => JSON.parse(v) as NodeRecord);
  } catch {
    return [];
  } finally {
    client.close();
  }
}

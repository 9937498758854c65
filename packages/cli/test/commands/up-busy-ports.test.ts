/**
 * `cluster up` refuses to start when a port it needs is taken: another
 * listener would answer its health checks, and it would report as up a
 * cluster that is not its own. Nothing is started (so no etcd is needed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@shoal/testkit';

const MAIN = join(__dirname, '../../src/main.js');

/** A listener on a free loopback port, holding it. */
function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('cluster up with ports in use', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-busy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const taken of ['api', 'etcd'] as const) {
    it(`fails naming the ${taken} port and starts nothing`, async () => {
      const busy = await listen();
      const port = (busy.address() as AddressInfo).port;
      // The other ports: from another free one.
      const base = await freePort();
      const apiPort = taken === 'api' ? port : base;
      const etcdPort = taken === 'etcd' ? port : base + 2;
      try {
        const data = join(dir, 'data');
        const res = spawnSync(process.execPath, [MAIN, 'cluster', 'up', '--data', data, '--port', String(apiPort), '--tls-port', 'off',
          '--etcd-port', String(etcdPort), '--port-base', String(base + 10)], { encoding: 'utf8', timeout: 20_000 });
        assert.notEqual(res.status, 0, res.stdout);
        assert.match(res.stderr, /cannot start: ports? .* already in use on 127\.0\.0\.1/);
        assert.ok(res.stderr.includes(`${port} (${taken})`), res.stderr);
        assert.doesNotMatch(res.stdout, /started|shoal is up/);
        const state = JSON.parse(readFileSync(join(data, 'cluster.json'), 'utf8')) as { processes: Record<string, unknown> };
        assert.deepEqual(state.processes, {});
      } finally {
        await close(busy);
      }
    });
  }
});

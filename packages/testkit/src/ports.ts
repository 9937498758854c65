/** Loopback ports for test processes. */
import { createServer } from 'node:net';

/**
 * A port the kernel reports free on `host` (it binds port 0 and closes the
 * socket). Kernel-chosen ports come from the ephemeral range, so they never
 * collide with the fixed ranges the chaos suite and `scripts/cluster` use.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `count` distinct free ports on `host`. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { LinkProxy, PASS } from '../../src/harness/link-proxy';

/** An echo server on a real loopback socket (the proxy is I/O; this is a small real-socket test). */
async function echoServer(port: number): Promise<Server> {
  const server = createServer((s) => { s.on('error', () => undefined); s.pipe(s); });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Resolves when `s` closes (events.once would reject on the RST's 'error'). */
function closed(s: Socket): Promise<void> {
  s.on('error', () => undefined);
  return new Promise((resolve) => s.once('close', () => resolve()));
}

function nextData(s: Socket, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => { s.off('data', on); resolve(undefined); }, timeoutMs);
    const on = (b: Buffer): void => { clearTimeout(t); resolve(b.toString()); };
    s.once('data', on);
  });
}

describe('link proxy (loopback sockets)', () => {
  let echo: Server;
  let proxy: LinkProxy;
  before(async () => {
    echo = await echoServer(28998);
    proxy = new LinkProxy('t', 28999, '127.0.0.1', 28998);
    await proxy.start();
  });
  after(async () => {
    await proxy.close();
    echo.close();
  });

  it('passes, blackholes (and resets the tainted connection on heal), passes one way', async () => {
    const c = connect(28999, '127.0.0.1');
    await once(c, 'connect');
    c.write('hello');
    assert.equal(await nextData(c, 2000), 'hello');
    proxy.set({ kind: 'blackhole' });
    c.write('lost');
    assert.equal(await nextData(c, 200), undefined);
    const cClosed = closed(c);
    proxy.set(PASS);
    await cClosed;
    const d = connect(28999, '127.0.0.1');
    await once(d, 'connect');
    proxy.set({ kind: 'one-way', passes: 'forward' });
    d.write('no echo');
    assert.equal(await nextData(d, 200), undefined, 'the reply direction is dropped');
    d.on('error', () => undefined);
    proxy.set(PASS);
    d.destroy();
  });

  it('delays each chunk and resets on demand', async () => {
    proxy.set({ kind: 'delay', delayMs: 150 });
    const c = connect(28999, '127.0.0.1');
    await once(c, 'connect');
    const t0 = Date.now();
    c.write('slow');
    assert.equal(await nextData(c, 2000), 'slow');
    assert.ok(Date.now() - t0 >= 280, 'delayed both ways');
    proxy.set(PASS);
    const cClosed = closed(c);
    proxy.reset();
    await cClosed;
  });
});

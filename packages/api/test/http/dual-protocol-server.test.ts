/**
 * Socket options of the api's listener: HTTP/1.1 connections reach the
 * http server through the protocol sniffer (dual-protocol-server.ts), not
 * through its own accept, so Node's HTTP default of Nagle's algorithm off
 * must be set where the sniffer accepts them.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import type { Socket } from 'node:net';
import { createLogger } from '@shoal/wire';
import { startDualProtocolServer } from '../../src/http/dual-protocol-server';

/** Whether setNoDelay(true) was applied to `socket` (net.Socket records it under its kSetNoDelay symbol). */
function noDelayOf(socket: Socket): boolean | undefined {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kSetNoDelay');
  assert.ok(key, 'net.Socket records setNoDelay under a kSetNoDelay symbol (Node 20)');
  return (socket as unknown as Record<symbol, boolean | undefined>)[key];
}

describe('the api listener', function () {
  it('turns Nagle\'s algorithm off on the HTTP/1.1 connections it accepts', async () => {
    let serverSocket: Socket | undefined;
    const server = await startDualProtocolServer({ hosts: ['127.0.0.1'], port: 0 }, (req, res) => {
      serverSocket = req.socket as Socket;
      res.end('ok');
    }, createLogger('api-test', {}, 'error'));
    try {
      await new Promise<void>((resolve, reject) => {
        get(`http://127.0.0.1:${server.port}/`, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject);
      });
      assert.ok(serverSocket, 'the request reached the handler');
      assert.equal(noDelayOf(serverSocket), true);
    } finally {
      await server.close();
    }
  });
});

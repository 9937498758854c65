/**
 * The HTTP/2 receive windows of our gRPC servers (widenServerWindows): a
 * peer that connects is told the wide stream window in the server's
 * SETTINGS and gets the wide connection window in a WINDOW_UPDATE, so a
 * 500 KiB message does not wait for WINDOW_UPDATE round trips.
 */
import { strict as assert } from 'node:assert';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, GRPC_CONNECTION_WINDOW_BYTES, GRPC_STREAM_WINDOW_BYTES, widenServerWindows } from '../src/index';

describe('gRPC receive windows', () => {
  let server: grpc.Server;
  let port = 0;

  before(async () => {
    server = new grpc.Server(GRPC_CHANNEL_OPTIONS);
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    widenServerWindows(server);
  });

  after(() => server.forceShutdown());

  it('a connecting peer gets the wide stream and connection windows', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      // The server's first SETTINGS frame carries Node's defaults; the wide window follows in a second one.
      const windows: Array<number | undefined> = [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        session.on('remoteSettings', (s: http2.Settings) => {
          windows.push(s.initialWindowSize);
          if (s.initialWindowSize === GRPC_STREAM_WINDOW_BYTES) { clearTimeout(timer); resolve(); }
        });
      });
      assert.equal(windows[windows.length - 1], GRPC_STREAM_WINDOW_BYTES, `stream windows announced: ${windows.join(', ')}`);
      // The connection window arrives as a WINDOW_UPDATE: give it a moment.
      for (let i = 0; i < 50 && (session.state.remoteWindowSize ?? 0) < GRPC_CONNECTION_WINDOW_BYTES; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(session.state.remoteWindowSize, GRPC_CONNECTION_WINDOW_BYTES);
    } finally {
      session.destroy();
    }
  });
});

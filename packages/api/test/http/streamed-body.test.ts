/**
 * Back-pressure of streamed response bodies (event streams) through the
 * real HTTP/1.1 and HTTP/2 server: a client that stops reading stops the
 * producer after a bounded amount (the transport's buffers), it goes on
 * when the client reads again, and it hears when the client goes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as connectHttp2 } from 'node:http2';
import { connect as connectTcp } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@shoal/wire';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher } from '../../src/dispatcher';
import { startDualProtocolServer, type DualProtocolServer } from '../../src/http/dual-protocol-server';
import { createRequestHandler } from '../../src/http/handle-request';
import type { AnyOperation, ResponseSink } from '../../src/operation';
import { ClusterView, ScriptedStorage, fakeContext } from '../helpers/fake-context';
import { UNVERIFIED_SIGNATURE } from '../helpers/signature';

const CHUNK_BYTES = 64 * 1024;
/** What a paused client may leave in the transport's buffers (socket, HTTP/2 windows, Node's writable buffer) before the producer stops. */
const IN_FLIGHT_BYTES_MAX = 8 * 1024 * 1024;
/** Node's own buffering on the server side of a socket (the writable buffer, one chunk past its high-water mark). */
const NODE_BUFFER_SLACK_BYTES = 1024 * 1024;

/**
 * What a paused HTTP/1.1 client may leave in flight: the kernel's largest
 * TCP receive buffer (the client's) and send buffer (the server's), which
 * autotuning reaches on a fast loopback (32 MiB of receive buffer on some
 * machines), plus Node's buffering; at least IN_FLIGHT_BYTES_MAX.
 */
function tcpInFlightMax(): number {
  const largest = (file: string): number => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
  try {
    const kernel = largest('/proc/sys/net/ipv4/tcp_rmem') + largest('/proc/sys/net/ipv4/tcp_wmem') + NODE_BUFFER_SLACK_BYTES;
    return Number.isFinite(kernel) ? Math.max(IN_FLIGHT_BYTES_MAX, kernel) : IN_FLIGHT_BYTES_MAX;
  } catch {
    return IN_FLIGHT_BYTES_MAX; // not Linux: the fixed bound
  }
}

/** A producer that writes chunks while the sink takes them, waits for drain otherwise, and records when the client went. */
class Producer {
  written = 0;
  closed = false;
  start(sink: ResponseSink): void {
    sink.onClose(() => { this.closed = true; });
    const pump = (): void => {
      while (!this.closed) {
        this.written += CHUNK_BYTES;
        if (!sink.write(Buffer.alloc(CHUNK_BYTES, 1))) { sink.onDrain(pump); return; }
      }
    };
    pump();
  }
}

describe('streamed response bodies (HTTP back-pressure)', function () {
  this.timeout(20_000);
  let server: DualProtocolServer;
  let port = 0;
  let producer: Producer;

  before(async () => {
    const ctx = fakeContext(new ClusterView(), new ScriptedStorage());
    const op: AnyOperation = {
      name: 'StreamTest', shape: {}, controlPlane: false,
      execute: async () => ({ streaming: true, contentType: 'application/vnd.amazon.eventstream', body: () => ({ pipe: (sink) => producer.start(sink) }) }),
    };
    const dispatcher = new Dispatcher(ctx, new Map([[op.name, op]]), new ControlRateLimiter(new Map()));
    const logger = createLogger('test', {}, 'error');
    server = await startDualProtocolServer({ hosts: ['127.0.0.1'], port: 0 },
      createRequestHandler({ dispatcher, registry: ctx.metrics.registry, logger, health: () => ({ ok: true }) }), logger);
    port = server.port;
  });

  after(async () => { await server.close(); });

  const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.StreamTest', ...UNVERIFIED_SIGNATURE };

  it('HTTP/1.1: a client that stops reading stops the producer; reading again resumes it; closing tells it', async () => {
    producer = new Producer();
    const socket = connectTcp(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-type: ${headers['content-type']}\r\nx-amz-target: ${headers['x-amz-target']}\r\nauthorization: ${UNVERIFIED_SIGNATURE['authorization']}\r\nx-amz-date: ${UNVERIFIED_SIGNATURE['x-amz-date']}\r\ncontent-length: 2\r\n\r\n{}`);
    let got = 0;
    socket.on('data', (d: Buffer) => { got += d.length; });
    await sleep(300);
    socket.pause();
    await sleep(700);
    const stalled = producer.written;
    await sleep(500);
    assert.equal(producer.written, stalled, 'the producer waits while the client does not read');
    const inFlightMax = tcpInFlightMax();
    assert.ok(stalled - got <= inFlightMax, `written ${stalled}, read ${got}, more than the socket buffers hold (${inFlightMax})`);
    socket.resume();
    await sleep(300);
    assert.ok(producer.written > stalled, 'the producer goes on when the client reads');
    socket.destroy();
    await sleep(200);
    assert.ok(producer.closed);
  });

  it('HTTP/2: a paused stream stops the producer; resuming resumes it; a reset tells it', async () => {
    producer = new Producer();
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    const stream = session.request({ ':method': 'POST', ':path': '/', ...headers });
    stream.end('{}');
    let got = 0;
    stream.on('data', (d: Buffer) => { got += d.length; });
    await sleep(300);
    stream.pause();
    await sleep(700);
    const stalled = producer.written;
    await sleep(500);
    assert.equal(producer.written, stalled, 'the producer waits while the client does not read');
    assert.ok(stalled - got <= IN_FLIGHT_BYTES_MAX, `written ${stalled}, read ${got}`);
    stream.resume();
    await sleep(300);
    assert.ok(producer.written > stalled);
    stream.close();
    await sleep(200);
    assert.ok(producer.closed);
    session.close();
  });
});

/**
 * The HTTP layer against a real etcd (no storage nodes): the AWS SDK over
 * HTTP/2 (its default, h2c with prior knowledge) and over HTTP/1.1 on the
 * same port, Kinesis error bodies, and bad input at the HTTP level.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import { connect as connectTcp, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import {
  CreateStreamCommand, SplitShardCommand, DescribeStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, KinesisClient,
  ListShardsCommand, ListStreamsCommand, PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startEtcd, type EtcdCluster } from '@shoal/testkit';
import { createLogger } from '@shoal/wire';
import { startApiServer, type ApiServer } from '../../src/api-server';
import { HEADERS_TIMEOUT_MS, TIMEOUT_CHECK_INTERVAL_MS } from '../../src/http/dual-protocol-server';
import { UNVERIFIED_SIGNATURE } from '../helpers/signature';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

async function expectError(promise: Promise<unknown>, name: string, status: number, message?: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata: { httpStatusCode?: number } };
    assert.equal(e.name, name);
    assert.equal(e.$metadata.httpStatusCode, status);
    if (message !== undefined) assert.equal(e.message, message);
    return;
  }
  assert.fail(`expected ${name}`);
}

/** Sends raw bytes and returns whatever comes back before the server closes or `waitMs` passes. */
function rawExchange(port: number, bytes: string, closeAfterWrite: boolean, waitMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d: Buffer) => { got += d.toString('latin1'); });
    socket.on('error', () => undefined);
    const done = (): void => { socket.destroy(); resolve(got); };
    socket.on('close', done);
    setTimeout(done, waitMs);
    socket.write(bytes, () => { if (closeAfterWrite) socket.end(); });
  });
}

describe('api HTTP layer (real etcd, HTTP/1.1 + h2c on one port)', function () {
  this.timeout(30_000);
  let etcd: EtcdCluster;
  let api: ApiServer;
  let endpoint: string;

  before(async () => {
    etcd = await startEtcd();
    api = await startApiServer({
      host: '127.0.0.1', port: 0, etcdEndpoints: [etcd.endpoint], prefix: `/api-test-${process.pid}/`,
      region: 'us-east-1', accountId: '123456789012', controlRates: new Map(), logger: createLogger('api-test', {}, 'error'),
    });
    endpoint = `http://127.0.0.1:${api.port}`;
  });

  after(async () => {
    await api?.close();
    await etcd?.stop();
  });

  it('scopes stream names by the region of the credential scope', async () => {
    const clients = ['us-east-1', 'eu-west-1'].map((region) => new KinesisClient({ endpoint, region, credentials: CREDENTIALS, maxAttempts: 1 }));
    try {
      for (const c of clients) await c.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
      for (const [i, region] of ['us-east-1', 'eu-west-1'].entries()) {
        const c = clients[i]!;
        const s = await c.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
        assert.equal(s.StreamDescriptionSummary?.StreamARN, `arn:aws:kinesis:${region}:123456789012:stream/orders`);
        const list = await c.send(new ListStreamsCommand({}));
        assert.deepEqual(list.StreamSummaries?.filter((x) => x.StreamName === 'orders').map((x) => x.StreamARN), [`arn:aws:kinesis:${region}:123456789012:stream/orders`]);
      }
      // An ARN of another region is not found from this one.
      await expectError(clients[0]!.send(new DescribeStreamSummaryCommand({ StreamARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders' })),
        'ResourceNotFoundException', 400);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  for (const protocol of ['HTTP/2', 'HTTP/1.1'] as const) {
    describe(`AWS SDK over ${protocol}`, () => {
      let client: KinesisClient;
      const name = protocol === 'HTTP/2' ? 'h2-stream' : 'h1-stream';
      before(() => {
        client = new KinesisClient({
          endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1,
          ...(protocol === 'HTTP/1.1' ? { requestHandler: new NodeHttpHandler() } : {}),
        });
      });
      after(() => client.destroy());

      it('creates, lists and describes a stream', async () => {
        await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 3 }));
        const list = await client.send(new ListStreamsCommand({}));
        assert.ok(list.StreamNames?.includes(name));
        const summary = list.StreamSummaries?.find((s) => s.StreamName === name);
        assert.equal(summary?.StreamARN, `arn:aws:kinesis:us-east-1:123456789012:stream/${name}`);
        assert.ok(summary?.StreamCreationTimestamp instanceof Date);
        const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
        assert.equal(d.StreamDescription?.StreamStatus, 'CREATING');
        assert.equal(d.StreamDescription?.HasMoreShards, false);
        const s = await client.send(new DescribeStreamSummaryCommand({ StreamARN: `arn:aws:kinesis:us-east-1:123456789012:stream/${name}` }));
        assert.equal(s.StreamDescriptionSummary?.StreamName, name);
        assert.equal(s.StreamDescriptionSummary?.OpenShardCount, 0);
      });

      it('answers Kinesis errors with their types and statuses', async () => {
        await expectError(client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 })), 'ResourceInUseException', 400,
          `Stream ${name} under account 123456789012 already exists.`);
        await expectError(client.send(new DescribeStreamCommand({ StreamName: 'missing' })), 'ResourceNotFoundException', 400,
          'Stream missing under account 123456789012 not found.');
        await expectError(client.send(new CreateStreamCommand({ StreamName: 'a b', ShardCount: 0 })), 'ValidationException', 400,
          "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
          "Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        await expectError(client.send(new ListShardsCommand({})), 'InvalidArgumentException', 400, 'Either NextToken or StreamName should be provided.');
        await expectError(client.send(new GetRecordsCommand({ ShardIterator: 'AAAA' })), 'InvalidArgumentException', 400, 'Invalid ShardIterator.');
        // The stream is CREATING (no controller here): no writes, no control operations but DeleteStream.
        await expectError(client.send(new PutRecordsCommand({ StreamName: name, Records: [{ PartitionKey: 'k', Data: Buffer.from('x') }] })),
          'ResourceNotFoundException', 400);
        await expectError(client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '5' })),
          'ResourceInUseException', 400);
      });
    });
  }

  it('answers UnknownOperationException and SerializationException over h2c', async () => {
    const session = connectHttp2(endpoint);
    try {
      const call = (target: string, body: string): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/', ...UNVERIFIED_SIGNATURE, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target });
        let status = 0;
        let text = '';
        req.on('response', (h) => { status = Number(h[':status']); });
        req.on('data', (d: Buffer) => { text += d.toString(); });
        req.on('end', () => resolve({ status, body: text }));
        req.on('error', reject);
        req.end(body);
      });
      assert.deepEqual(await call('Kinesis_20131202.Nope', '{}'), { status: 400, body: '{"__type":"UnknownOperationException"}' });
      assert.deepEqual(await call('Kinesis_20131202.ListStreams', '{x'), { status: 400, body: '{"__type":"SerializationException"}' });
      const wrongType = await call('Kinesis_20131202.DescribeStream', '{"StreamName":5}');
      assert.equal(JSON.parse(wrongType.body).__type, 'SerializationException');
    } finally {
      session.close();
    }
  });

  it('serves h2c when the preface arrives in pieces, and takes multi-MiB bodies on one session', async () => {
    // A proxy that hands the first bytes over a few at a time, so the sniff sees a partial preface first.
    const trickle: TcpServer = createTcpServer((client) => {
      const upstream = connectTcp(api.port, '127.0.0.1');
      let sent = 0;
      const queue: Buffer[] = [];
      let draining = false;
      const drain = (): void => {
        const next = queue.shift();
        if (!next) { draining = false; return; }
        upstream.write(next);
        setTimeout(drain, sent < 40 ? 20 : 0);
      };
      client.on('data', (d: Buffer) => {
        for (let i = 0; i < d.length;) {
          const n = sent < 40 ? 5 : d.length - i;
          queue.push(d.subarray(i, i + n));
          i += n;
          sent += n;
        }
        if (!draining) { draining = true; drain(); }
      });
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    const address = trickle.address();
    const session = connectHttp2(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    try {
      const call = (body: string): Promise<number> => new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/', ...UNVERIFIED_SIGNATURE, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.resume();
        req.end(body);
      });
      assert.equal(await call('{}'), 200);
      const big = JSON.stringify({ Limit: 1, Padding: 'a'.repeat(3 * 1024 * 1024) });
      const statuses = await Promise.all([call(big), call(big), call('{}')]);
      assert.ok(statuses.every((s) => s === 200 || s === 400), String(statuses));
    } finally {
      session.close();
      await new Promise<void>((resolve) => trickle.close(() => resolve()));
    }
  });

  it('refuses an oversized body (413) and headers over 16 KiB (431)', async () => {
    const big = await rawExchange(api.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n' +
      'X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 999999999\r\n\r\n{', false);
    assert.match(big, /^HTTP\/1\.1 413 /);
    const headers = await rawExchange(api.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, false);
    assert.match(headers, /^HTTP\/1\.1 431 /);
  });

  it('after a 413 the connection is half-closed and what the client still sends is drained, not reset (the client reads the answer)', async () => {
    const socket = connectTcp({ port: api.port, host: '127.0.0.1', allowHalfOpen: true });
    const errors: string[] = [];
    socket.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
    let answer = '';
    const answered = new Promise<void>((resolve) => socket.on('data', (c: Buffer) => { answer += c.toString('latin1'); if (answer.includes('\r\n\r\n')) resolve(); }));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n' +
      `X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: ${17 * 1024 * 1024}\r\n\r\n`);
    await answered;
    assert.match(answer, /^HTTP\/1\.1 413 /);
    // The client keeps sending its body after the answer (as HTTP clients do): the server must keep
    // reading, since a reset can cost a client the answer it has not read yet.
    for (let i = 0; i < 8 && errors.length === 0; i++) {
      await new Promise<void>((resolve) => socket.write(Buffer.alloc(512 * 1024, 0x41), (err) => { if (err) errors.push(err.message); resolve(); }));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(errors, [], 'no reset while the client was still sending');
    socket.destroy();
  });

  it('answers 413 to clients that send a whole oversized body at once, over HTTP/1.1 and HTTP/2, every time', async () => {
    const body = Buffer.alloc(17 * 1024 * 1024, 0x41);
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' };
    for (let i = 0; i < 5; i++) {
      const h1 = await new Promise<number | string>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port: api.port, method: 'POST', path: '/', agent: false, headers: { ...headers, 'content-length': body.length } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
        req.end(body);
      });
      assert.equal(h1, 413, `HTTP/1.1 attempt ${i + 1}`);
    }
    const session = connectHttp2(`http://127.0.0.1:${api.port}`);
    session.on('error', () => undefined);
    try {
      for (let i = 0; i < 5; i++) {
        const h2 = await new Promise<number | string>((resolve) => {
          const stream = session.request({ ':method': 'POST', ':path': '/', ...headers, 'content-length': String(body.length) });
          let status: number | string = 'no answer';
          stream.on('response', (h) => { status = Number(h[':status']); });
          stream.on('error', (err: NodeJS.ErrnoException) => { if (status === 'no answer') status = err.code ?? err.message; });
          stream.on('close', () => resolve(status));
          stream.resume();
          stream.end(body);
        });
        assert.equal(h2, 413, `HTTP/2 attempt ${i + 1}`);
      }
    } finally {
      session.destroy();
    }
  });

  it('survives a body shorter than its Content-Length and keeps serving', async () => {
    const partial = await rawExchange(api.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n' +
      'X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 100\r\n\r\n{}', true, 500);
    // Node's parser may answer 400 to the truncated request; either way only that request fails.
    assert.ok(partial === '' || /^HTTP\/1\.1 400 /.test(partial), partial);
    const health = await rawExchange(api.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false);
    assert.match(health, /^HTTP\/1\.1 200 /);
  });

  it('closes an HTTP/1.1 connection whose headers trickle in once HEADERS_TIMEOUT_MS has passed, and keeps serving others', async () => {
    const socket = connectTcp(api.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const startMs = Date.now();
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - startMs)));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 500);
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      const health = await rawExchange(api.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false);
      assert.match(health, /^HTTP\/1\.1 200 /);
      const openMs = await closed;
      assert.ok(openMs >= HEADERS_TIMEOUT_MS - 100, `closed after ${openMs} ms`);
      assert.ok(openMs <= HEADERS_TIMEOUT_MS + TIMEOUT_CHECK_INTERVAL_MS + 1_500, `closed after ${openMs} ms`);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('serves /metrics with CloudWatch-named metrics', async () => {
    const text = await rawExchange(api.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false);
    assert.ok(/^HTTP\/1\.1 200 /.test(text));
    assert.ok(text.includes('shoal_api_errors_total{operation="ListStreams",type="SerializationException"} 1'));
    assert.ok(text.includes('shoal_api_request_duration_seconds_bucket{le="0.001",operation="PutRecords"}'));
    assert.ok(text.includes('# TYPE kinesis_get_records_bytes_total counter'));
  });
});

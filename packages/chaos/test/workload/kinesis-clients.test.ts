import { strict as assert } from 'node:assert';
import { createServer, type Server, type Socket } from 'node:net';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { kinesisClient } from '../../src/workload/kinesis-clients';
import { errorName, outcomeOf } from '../../src/workload/outcome';

describe('kinesis clients', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;

  before(async () => {
    // Accepts and reads, never answers: an api holding a request it cannot complete.
    server = createServer((s) => { sockets.push(s); s.on('data', () => undefined); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a call the server never answers fails at the request deadline, as an info outcome', async () => {
    const client = kinesisClient(`http://127.0.0.1:${port}`, 300);
    const started = Date.now();
    try {
      const err = await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: Buffer.from('v') })).then(() => undefined, (e: unknown) => e);
      const tookMs = Date.now() - started;
      assert.ok(err !== undefined, 'the call must fail');
      assert.ok(tookMs < 3_000, `failed after ${tookMs} ms, not at the 300 ms deadline`);
      assert.equal(outcomeOf(errorName(err)), 'info');
    } finally {
      client.destroy();
    }
  });
});

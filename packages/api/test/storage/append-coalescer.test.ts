import { strict as assert } from 'node:assert';
import type { AppendShardsRequest, AppendShardsResponse__Output, ShardAppendResult__Output } from '@shoal/wire';
import { AppendCoalescer } from '../../src/storage/append-coalescer';

/** A node that answers each call when told to; each result names its shard and the call that carried it. */
class HeldNode {
  readonly calls: Array<{ nodeId: string; shards: string[]; deadlineMs: number; answer: () => void; fail: (err: Error) => void }> = [];

  send = (nodeId: string, request: AppendShardsRequest, deadlineMs: number): Promise<AppendShardsResponse__Output> => new Promise((resolve, reject) => {
    const shards = (request.shards ?? []).map((s) => s.shard!.shard_id!);
    const call = this.calls.length;
    this.calls.push({
      nodeId, shards, deadlineMs,
      answer: () => resolve({ results: shards.map((shardId, i) => result(shardId, call * 100 + i)) }),
      fail: reject,
    });
  });
}

function result(shardId: string, firstOffset: number): ShardAppendResult__Output {
  return { error: 'OK', error_message: shardId, epoch: 1, first_offset: firstOffset, arrival_ms: 0, result_count: 1, throttled_indexes: [] };
}

function request(bodyBytes: number, ...shardIds: string[]): AppendShardsRequest {
  return { shards: shardIds.map((shard_id) => ({ shard: { stream_id: 's', shard_id }, epoch: 1, records_body: Buffer.alloc(bodyBytes), record_count: 1 })) };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** A fake clock: every call below is made at `clock.ms` with a deadline 10 s on. */
const clock = { ms: 1_000 };
const now = (): number => clock.ms;
const DEADLINE = 10_000;

/**
 * Calls for shard 'a', then for 'b' and for 'c' while it is in flight;
 * answers the first, so that the other two go to the node together (its
 * second call, not yet answered). Returns those two.
 */
async function twoBehindOne(coalescer: AppendCoalescer, node: HeldNode): Promise<[Promise<AppendShardsResponse__Output>, Promise<AppendShardsResponse__Output>]> {
  const first = coalescer.appendShards('n1', request(10, 'a'), clock.ms + DEADLINE);
  const second = coalescer.appendShards('n1', request(10, 'b'), clock.ms + DEADLINE);
  const third = coalescer.appendShards('n1', request(10, 'c'), clock.ms + DEADLINE);
  node.calls[0]!.answer();
  await first;
  await settle();
  return [second, third];
}

describe('AppendCoalescer', () => {
  it('sends at once while nothing is in flight to the node', async () => {
    const node = new HeldNode();
    const coalescer = new AppendCoalescer(node.send, now);
    const answer = coalescer.appendShards('n1', request(10, 'a', 'b'), clock.ms + DEADLINE);
    assert.deepEqual(node.calls.map((c) => c.shards), [['a', 'b']]);
    node.calls[0]!.answer();
    assert.deepEqual((await answer).results.map((r) => r.error_message), ['a', 'b']);
    await settle();
    assert.deepEqual(coalescer.pending('n1'), { inFlight: 0, waiting: 0 });
  });

  it('holds calls made while one is in flight and sends them together next, each answered with its own results in order', async () => {
    const node = new HeldNode();
    const coalescer = new AppendCoalescer(node.send, now);
    const first = coalescer.appendShards('n1', request(10, 'a'), clock.ms + DEADLINE);
    const second = coalescer.appendShards('n1', request(10, 'b', 'a'), clock.ms + DEADLINE);
    const third = coalescer.appendShards('n1', request(10, 'c'), clock.ms + DEADLINE);
    assert.equal(node.calls.length, 1, 'the second and third wait');
    assert.deepEqual(coalescer.pending('n1'), { inFlight: 1, waiting: 2 });
    node.calls[0]!.answer();
    await first;
    await settle();
    assert.deepEqual(node.calls.map((c) => c.shards), [['a'], ['b', 'a', 'c']], 'one call, entries in the order the calls came');
    node.calls[1]!.answer();
    const [r2, r3] = await Promise.all([second, third]);
    assert.deepEqual(r2.results.map((r) => [r.error_message, r.first_offset]), [['b', 100], ['a', 101]]);
    assert.deepEqual(r3.results.map((r) => [r.error_message, r.first_offset]), [['c', 102]]);
  });

  it('keeps each node apart: a call in flight to one node holds nothing for another', () => {
    const node = new HeldNode();
    const coalescer = new AppendCoalescer(node.send, now);
    void coalescer.appendShards('n1', request(10, 'a'), clock.ms + DEADLINE);
    void coalescer.appendShards('n2', request(10, 'b'), clock.ms + DEADLINE);
    assert.deepEqual(node.calls.map((c) => [c.nodeId, c.shards]), [['n1', ['a']], ['n2', ['b']]]);
  });

  it('fails every call a failed call carried, and goes on with the next', async () => {
    const node = new HeldNode();
    const coalescer = new AppendCoalescer(node.send, now);
    const [second, third] = await twoBehindOne(coalescer, node);
    node.calls[1]!.fail(new Error('transport'));
    await assert.rejects(second, /transport/);
    await assert.rejects(third, /transport/);
    const fourth = coalescer.appendShards('n1', request(10, 'd'), clock.ms + DEADLINE);
    assert.deepEqual(node.calls.map((c) => c.shards), [['a'], ['b', 'c'], ['d']]);
    node.calls[2]!.answer();
    assert.equal((await fourth).results[0]!.error_message, 'd');
  });

  it('fails a call whose send throws (a node not in the view) without holding the next', async () => {
    let throws = true;
    const node = new HeldNode();
    const coalescer = new AppendCoalescer((nodeId, req, deadlineMs) => {
      if (throws) { throws = false; throw new Error('not in the view'); }
      return node.send(nodeId, req, deadlineMs);
    }, now);
    await assert.rejects(coalescer.appendShards('n1', request(10, 'a'), clock.ms + DEADLINE), /not in the view/);
    const next = coalescer.appendShards('n1', request(10, 'b'), clock.ms + DEADLINE);
    node.calls[0]!.answer();
    assert.equal((await next).results[0]!.error_message, 'b');
  });

  it('carries at most bytesMax of records per call (a larger single call goes alone)', async () => {
    const node = new HeldNode();
    const coalescer = new AppendCoalescer(node.send, now, 1, 100);
    const calls = [[10, 'a'], [60, 'b'], [30, 'c'], [20, 'd'], [150, 'e']].map(([bytes, shard]) =>
      coalescer.appendShards('n1', request(bytes as number, shard as string), clock.ms + DEADLINE));
    for (let i = 0; i < 4; i++) { node.calls[i]!.answer(); await settle(); }
    assert.deepEqual(node.calls.map((c) => c.shards), [['a'], ['b', 'c'], ['d'], ['e']]);
    await Promise.all(calls);
  });

  it('rejects every call of a coalesced answer whose result count does not match', async () => {
    const node = new HeldNode();
    let short = false;
    const coalescer = new AppendCoalescer(async (nodeId, req, deadlineMs) => {
      const response = await node.send(nodeId, req, deadlineMs);
      return short ? { results: response.results.slice(1) } : response;
    }, now);
    const [b, c] = await twoBehindOne(coalescer, node);
    short = true;
    node.calls[1]!.answer();
    await assert.rejects(b, /answered 1 results for 2 shards/);
    await assert.rejects(c, /answered 1 results for 2 shards/);
  });

  it('keeps each call its own deadline: a coalesced call has the earliest, and one whose deadline passed while it waited is not sent', async () => {
    const node = new HeldNode();
    const coalescer = new AppendCoalescer(node.send, now);
    clock.ms = 1_000;
    const first = coalescer.appendShards('n1', request(10, 'a'), 11_000);
    clock.ms = 3_000;
    const second = coalescer.appendShards('n1', request(10, 'b'), 13_000);
    clock.ms = 5_000;
    const third = coalescer.appendShards('n1', request(10, 'c'), 15_000);
    assert.equal(node.calls[0]!.deadlineMs, 11_000);
    clock.ms = 11_000;
    node.calls[0]!.fail(new Error('deadline exceeded'));
    await assert.rejects(first, /deadline exceeded/);
    await settle();
    assert.deepEqual(node.calls.map((c) => [c.shards, c.deadlineMs]), [[['a'], 11_000], [['b', 'c'], 13_000]]);
    clock.ms = 13_000;
    node.calls[1]!.fail(new Error('deadline exceeded'));
    await assert.rejects(second, /deadline exceeded/);
    await assert.rejects(third, /deadline exceeded/);
    // A call whose deadline is already behind the clock when its turn comes is failed without being sent.
    const late = coalescer.appendShards('n1', request(10, 'd'), 12_000);
    await assert.rejects(late, /deadline passed before the call was sent/);
    assert.equal(node.calls.length, 2);
    clock.ms = 1_000;
  });
});

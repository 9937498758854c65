/**
 * Subscriptions of one api process sharing storage Subscribe calls (shard
 * feeds): consumers at the same position share one call; one that joins
 * behind gets the feed's history or, further behind, a call of its own
 * until it catches up and the two merge; a slow client leaves the shared
 * call without holding the others back; a new leader is followed once for
 * everyone. Every subscription gets every record once, in order.
 */
import assert from 'node:assert/strict';
import type { RecordOut } from '@shoal/wire';
import { createLogger } from '@shoal/wire';
import { FanOut } from '../../src/fanout/fan-out';
import { FAN_OUT_DEFAULTS, type FanOutSettings } from '../../src/fanout/fan-out-settings';
import { ApiMetrics } from '../../src/metrics';
import { OPERATIONS } from '../../src/operations/index';
import { jsonCodec } from '../../src/protocol/json-codec';
import { RecordCrypto } from '../../src/encryption/record-crypto';
import { recordSequenceNumber, shardCreatedSecs } from '../../src/streams/sequence-numbers';
import { ClusterView, ScriptedStorage, TEST_MASTER_KEY, addStream } from '../helpers/fake-context';
import { FakeSink } from '../helpers/fake-sink';
import { FakeTimers } from '../helpers/fake-timers';

const ARRIVAL_MS = 2_000_000 - 100;
const SHARD = 'shardId-000000000000';
/** Records of 11 bytes (10 of data, key 'k'): the history holds 5, a buffer 10. */
const SETTINGS: FanOutSettings = { ...FAN_OUT_DEFAULTS, bufferBytesMax: 110, eventBytesMax: 50, feedHistoryBytes: 55 };

function setup() {
  const view = new ClusterView();
  const stream = addStream(view, 's', 1, ['n1']);
  const timers = new FakeTimers();
  const storage = new ScriptedStorage();
  const metrics = new ApiMetrics([...OPERATIONS.keys()]);
  const fanOut = new FanOut('api-1', {
    view, storage, logger: createLogger('test', {}, 'error'), metrics, now: timers.now,
    crypto: new RecordCrypto(TEST_MASTER_KEY), settings: SETTINGS, timers,
  });
  const shard = view.shard(stream.streamId, SHARD)!.value;
  const seq = (offset: number): string => recordSequenceNumber(shard, shardCreatedSecs(shard), offset, ARRIVAL_MS);
  let n = 0;
  /** A subscription of a new consumer from `startOffset`, with its sink. */
  const subscribe = (startOffset: number) => {
    n++;
    assert.ok(fanOut.reserve());
    const sub = fanOut.open({
      subscriptionId: `sub-${n}`, streamId: stream.streamId, streamName: 's', consumerName: `c${n}`, consumerArn: `${stream.streamArn}/consumer/c${n}:1`,
      shardId: SHARD, startOffset,
    }, jsonCodec);
    const sink = new FakeSink();
    sub.pipe(sink);
    const delivered = (): number[] => sink.events().flatMap((e) => (e['Records'] as Array<{ SequenceNumber: string }>).map((r) => r.SequenceNumber))
      .map((s) => Array.from({ length: 200 }, (_, o) => o).find((o) => seq(o) === s)!);
    return { sink, delivered };
  };
  const open = () => storage.subscriptions.filter((s) => !s.cancelled);
  /** The node's answer on a Subscribe call: records at `offsets`. */
  const push = (call: (typeof storage.subscriptions)[number], offsets: readonly number[], hw = offsets.length > 0 ? offsets[offsets.length - 1]! + 1 : 0): void => {
    const records: RecordOut[] = offsets.map((o) => ({ offset: o, arrival_ms: ARRIVAL_MS, partition_key: 'k', data: Buffer.alloc(10, o) }));
    call.handlers.message({ error: 'OK', error_message: '', records: records as never, high_watermark: hw, log_start_offset: 0 });
  };
  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
  /** The shoal_api_subscribe_feeds_open gauge now. */
  const feedsGauge = async (): Promise<number> => (await metrics.registry.getSingleMetric('shoal_api_subscribe_feeds_open')!.get()).values[0]!.value;
  return { view, stream, timers, storage, fanOut, subscribe, open, push, range, seq, feedsGauge };
}

describe('SubscribeToShard shard feeds', () => {
  it('gives consumers at the same position one storage call, and every record to each', () => {
    const t = setup();
    const a = t.subscribe(0);
    const b = t.subscribe(0);
    const c = t.subscribe(0);
    assert.equal(t.storage.subscriptions.length, 1);
    assert.equal(t.fanOut.feedCount(), 1);
    t.push(t.open()[0]!, [0, 1, 2]);
    t.push(t.open()[0]!, [3]);
    for (const s of [a, b, c]) assert.deepEqual(s.delivered(), [0, 1, 2, 3]);
    assert.equal(t.storage.subscriptions.length, 1);
    // Each record is encoded once and shown alike to all (the events' Records are the same JSON).
    const records = (s: typeof a) => JSON.stringify(s.sink.events().flatMap((e) => e['Records'] as unknown[]));
    assert.equal(records(b), records(a));
    assert.equal(records(c), records(a));
    assert.deepEqual((a.sink.events()[0]!['Records'] as Array<Record<string, unknown>>)[0], {
      SequenceNumber: t.seq(0), ApproximateArrivalTimestamp: ARRIVAL_MS / 1000, Data: Buffer.alloc(10, 0).toString('base64'), PartitionKey: 'k',
    });
    // Each event is framed once: the three responses carry the same message bytes (initial-response first, each its own).
    assert.equal(a.sink.chunks.length, b.sink.chunks.length);
    for (let i = 1; i < a.sink.chunks.length; i++) {
      assert.equal(b.sink.chunks[i], a.sink.chunks[i]);
      assert.equal(c.sink.chunks[i], a.sink.chunks[i]);
    }
  });

  it('lets a consumer join behind the position from the history, and further behind with its own call until the two meet', () => {
    const t = setup();
    const a = t.subscribe(0);
    t.push(t.open()[0]!, t.range(0, 10));
    // The history holds offsets 5..9: a consumer at 7 shares the call.
    const b = t.subscribe(7);
    assert.equal(t.storage.subscriptions.length, 1);
    assert.deepEqual(b.delivered(), [7, 8, 9]);
    // One at 2 is behind the history: a call of its own, from 2.
    const c = t.subscribe(2);
    assert.equal(t.storage.subscriptions.length, 2);
    const behind = t.storage.subscriptions[1]!;
    assert.equal(behind.request.from_offset, 2);
    t.push(t.storage.subscriptions[0]!, [10, 11]);
    // The second call reaches 8, which the first feed's history (7..11) covers: it moves there, its call ends.
    t.push(behind, t.range(2, 8));
    assert.ok(behind.cancelled);
    assert.equal(t.fanOut.feedCount(), 1);
    t.push(t.storage.subscriptions[0]!, [12]);
    assert.deepEqual(a.delivered(), t.range(0, 13));
    assert.deepEqual(b.delivered(), t.range(7, 13));
    assert.deepEqual(c.delivered(), t.range(2, 13));
    assert.equal(t.storage.subscriptions.length, 2);
  });

  it('merges a feed that caught up into the one it reached', () => {
    const t = setup();
    const a = t.subscribe(20);
    const b = t.subscribe(0);
    assert.equal(t.storage.subscriptions.length, 2);
    // The feed from 0 reaches 20, where the other stands (with no history yet): they become one.
    t.push(t.storage.subscriptions[1]!, t.range(0, 20));
    assert.equal(t.fanOut.feedCount(), 1);
    assert.equal(t.open().length, 1);
    t.push(t.open()[0]!, [20, 21]);
    assert.deepEqual(a.delivered(), [20, 21]);
    assert.deepEqual(b.delivered(), t.range(0, 22));
  });

  it('lets a slow client leave the shared call without holding the others back, and join again where it stands', () => {
    const t = setup();
    const fast = t.subscribe(0);
    const slow = t.subscribe(0);
    slow.sink.accepting = false;
    const call = t.open()[0]!;
    // The slow client's buffer (10 records) fills; the call goes on for the fast one.
    for (let o = 0; o < 30; o += 2) t.push(call, [o, o + 1]);
    assert.ok(!call.cancelled);
    assert.equal(t.storage.subscriptions.length, 1);
    assert.deepEqual(fast.delivered(), t.range(0, 30));
    // The slow one drains and joins again behind the history (25..29): a call of its own, from where it stopped.
    slow.sink.drain();
    assert.equal(t.storage.subscriptions.length, 2);
    const own = t.storage.subscriptions[1]!;
    const from = Number(own.request.from_offset);
    assert.ok(from > 0 && from < 25, `rejoined at ${from}`);
    t.push(own, t.range(from, 26));
    assert.ok(own.cancelled, 'at 26 it shares the call again');
    t.push(call, [30]);
    assert.deepEqual(slow.delivered(), t.range(0, 31));
    assert.deepEqual(fast.delivered(), t.range(0, 31));
  });

  it('follows a new leader once for every consumer, from where the feed stands', () => {
    const t = setup();
    const a = t.subscribe(0);
    const b = t.subscribe(0);
    t.push(t.open()[0]!, [0, 1, 2]);
    const shards = t.view.shards.get(t.stream.streamId)!;
    const shard = shards.get(SHARD)!;
    shards.set(SHARD, { value: { ...shard.value, leader: 'n2', epoch: 2 }, modRevision: '9' });
    t.fanOut.onMetadataChange({ kind: 'shard', streamId: t.stream.streamId, shardId: SHARD, value: shards.get(SHARD) });
    assert.ok(t.storage.subscriptions[0]!.cancelled);
    assert.equal(t.open().length, 1);
    const next = t.open()[0]!;
    assert.equal(next.nodeId, 'n2');
    assert.equal(next.request.from_offset, 3);
    t.push(next, [1, 2, 3, 4]);
    assert.deepEqual(a.delivered(), [0, 1, 2, 3, 4]);
    assert.deepEqual(b.delivered(), [0, 1, 2, 3, 4]);
  });

  it('ends the shared call with the last subscription, and counts open calls in its gauge', async () => {
    const t = setup();
    const a = t.subscribe(0);
    const b = t.subscribe(0);
    const c = t.subscribe(50);
    assert.equal(await t.feedsGauge(), 2);
    c.sink.close();
    a.sink.close();
    assert.ok(!t.storage.subscriptions[0]!.cancelled);
    assert.equal(await t.feedsGauge(), 1);
    b.sink.close();
    assert.ok(t.storage.subscriptions[0]!.cancelled);
    assert.equal(t.fanOut.feedCount(), 0);
    assert.equal(t.fanOut.size(), 0);
    assert.equal(await t.feedsGauge(), 0);
  });
});

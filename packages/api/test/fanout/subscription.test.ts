/**
 * One subscription against a scripted storage node, a fake clock and a fake
 * HTTP sink: framing order, idle events, the session end, continuation
 * numbers, resuming on a new leader without loss or duplicates,
 * back-pressure with a bounded buffer, the end of a closed shard, takeover.
 */
import assert from 'node:assert/strict';
import { decodeSequenceNumber } from '@shoal/core';
import type { RecordOut } from '@shoal/wire';
import { FanOut } from '../../src/fanout/fan-out';
import { FAN_OUT_DEFAULTS, UPSTREAM_RETRY_MS_MIN, type FanOutSettings } from '../../src/fanout/fan-out-settings';
import { jsonCodec } from '../../src/protocol/json-codec';
import { ApiMetrics } from '../../src/metrics';
import { OPERATIONS } from '../../src/operations/index';
import { createLogger } from '@shoal/wire';
import { ClusterView, ScriptedStorage, TEST_MASTER_KEY, addStream } from '../helpers/fake-context';
import { RecordCrypto } from '../../src/encryption/record-crypto';
import { recordSequenceNumber, shardCreatedSecs } from '../../src/streams/sequence-numbers';
import { FakeSink } from '../helpers/fake-sink';
import { FakeTimers } from '../helpers/fake-timers';

/** Arrival time of every pushed record: 100 ms before the fake clock starts. */
const ARRIVAL_MS = 2_000_000 - 100;
const SETTINGS: FanOutSettings = { ...FAN_OUT_DEFAULTS, sessionMs: 60_000, idleEventMs: 2_000, upstreamSilenceMs: 5_000, bufferBytesMax: 100, eventBytesMax: 50 };

function setup(startOffset = 0, settings: FanOutSettings = SETTINGS) {
  const view = new ClusterView();
  const stream = addStream(view, 's', 1, ['n1']);
  const timers = new FakeTimers();
  const storage = new ScriptedStorage();
  const metrics = new ApiMetrics([...OPERATIONS.keys()]);
  const crypto = new RecordCrypto(TEST_MASTER_KEY);
  const fanOut = new FanOut('api-1', { view, storage, logger: createLogger('test', {}, 'error'), metrics, now: timers.now, crypto, settings, timers });
  const shard = view.shard(stream.streamId, 'shardId-000000000000')!.value;
  assert.ok(fanOut.reserve());
  const sub = fanOut.open({
    subscriptionId: 'sub-1', streamId: stream.streamId, streamName: 's', consumerName: 'c', consumerArn: `${stream.streamArn}/consumer/c:1`,
    shardId: 'shardId-000000000000', startOffset,
  }, jsonCodec);
  const sink = new FakeSink();
  sub.pipe(sink);
  const seq = (offset: number): string => recordSequenceNumber(shard, shardCreatedSecs(shard), offset, ARRIVAL_MS);
  /** The node's answer on the latest Subscribe call: records at `offsets` (10 bytes of data + 'k'). */
  const push = (offsets: readonly number[], hw: number, call = storage.subscriptions[storage.subscriptions.length - 1]!): void => {
    const records: RecordOut[] = offsets.map((o) => ({ offset: o, arrival_ms: ARRIVAL_MS, partition_key: 'k', data: Buffer.alloc(10, o) }));
    call.handlers.message({ error: 'OK', error_message: '', records: records as never, high_watermark: hw, log_start_offset: 0 });
  };
  const delivered = (): string[] => sink.events().flatMap((e) => (e['Records'] as Array<{ SequenceNumber: string }>).map((r) => r.SequenceNumber));
  return { view, stream, shard, timers, storage, fanOut, sink, seq, push, delivered, metrics };
}

describe('SubscribeToShard subscription', () => {
  it('sends initial-response first, then records, an event every idle interval, and ends after the session', () => {
    const t = setup();
    const first = t.sink.messages()[0]!;
    assert.deepEqual(first.headers, { ':message-type': 'event', ':event-type': 'initial-response', ':content-type': 'application/x-amz-json-1.1' });
    assert.deepEqual(first.payload, {});
    assert.equal(t.storage.subscriptions.length, 1);
    assert.equal(t.storage.subscriptions[0]!.nodeId, 'n1');
    assert.equal(t.storage.subscriptions[0]!.request.from_offset, 0);
    assert.equal(t.storage.subscriptions[0]!.request.bytes_per_sec, 2 * 1024 * 1024);
    t.push([0, 1], 2);
    assert.deepEqual(t.delivered(), [t.seq(0), t.seq(1)]);
    const e = t.sink.events()[0]!;
    assert.equal(e['ContinuationSequenceNumber'], t.seq(1));
    assert.equal(e['MillisBehindLatest'], 0);
    // Idle: one event per interval, each with the same continuation.
    t.timers.advance(2_000);
    t.timers.advance(2_000);
    const events = t.sink.events();
    assert.equal(events.length, 3);
    assert.deepEqual(events.slice(1).map((x) => [x['Records'], x['ContinuationSequenceNumber']]), [[[], t.seq(1)], [[], t.seq(1)]]);
    // The node's heartbeats keep the storage call alive; at the session's end the response and the call end.
    for (let ms = 0; ms < 56_000; ms += 1_000) { t.push([], 2); t.timers.advance(1_000); }
    assert.ok(t.sink.ended);
    assert.ok(t.storage.subscriptions[0]!.cancelled);
    assert.equal(t.fanOut.size(), 0);
    assert.equal(t.timers.pending(), 0);
  });

  it('on an empty shard continues with a position number that AFTER_SEQUENCE_NUMBER resumes at offset 0', () => {
    const t = setup();
    t.timers.advance(2_000);
    const cont = t.sink.events()[0]!['ContinuationSequenceNumber'] as string;
    assert.deepEqual(decodeSequenceNumber(cont), { shardCreatedSecs: shardCreatedSecs(t.shard), shardIndex: 0, offset: 0n, arrivalSecs: 0 });
  });

  it('resumes on the new leader after the last record taken: nothing lost, nothing twice', () => {
    const t = setup(5);
    t.push([5, 6, 7], 8);
    const first = t.storage.subscriptions[0]!;
    first.handlers.message({ error: 'NOT_LEADER', error_message: 'not the leader', records: [], high_watermark: 8, log_start_offset: 0 });
    assert.ok(first.cancelled);
    // The view now names n2 (epoch 2); the next call goes there, from offset 8.
    const shards = t.view.shards.get(t.stream.streamId)!;
    const shard = shards.get('shardId-000000000000')!;
    shards.set('shardId-000000000000', { value: { ...shard.value, leader: 'n2', epoch: 2 }, modRevision: '9' });
    t.fanOut.onMetadataChange({ kind: 'shard', streamId: t.stream.streamId, shardId: 'shardId-000000000000', value: shards.get('shardId-000000000000') });
    const second = t.storage.subscriptions[1]!;
    assert.equal(second.nodeId, 'n2');
    assert.equal(second.request.from_offset, 8);
    // A new leader may send from before: older offsets are dropped.
    t.push([6, 7, 8, 9], 10, second);
    assert.deepEqual(t.delivered(), [5, 6, 7, 8, 9].map(t.seq));
  });

  it('reopens a failed or silent storage call after the retry delay, on the leader the view names', () => {
    const t = setup();
    t.storage.subscriptions[0]!.handlers.end(new Error('connection reset'));
    assert.equal(t.storage.subscriptions.length, 1);
    t.timers.advance(UPSTREAM_RETRY_MS_MIN);
    assert.equal(t.storage.subscriptions.length, 2);
    t.push([0], 1);
    // Nothing from the node for upstreamSilenceMs: the call is replaced.
    t.timers.advance(SETTINGS.upstreamSilenceMs + UPSTREAM_RETRY_MS_MIN);
    assert.ok(t.storage.subscriptions[1]!.cancelled);
    assert.equal(t.storage.subscriptions.length, 3);
    assert.equal(t.storage.subscriptions[2]!.request.from_offset, 1);
  });

  it('holds at most the buffer bound for a slow client, then resumes from where it stopped', () => {
    const t = setup();
    t.sink.accepting = false;
    // The first event is written (and fills the transport); the rest stay queued.
    t.push([0, 1], 2);
    const writtenBefore = t.sink.chunks.length;
    for (let o = 2; o < 20; o += 2) if (!t.storage.subscriptions[0]!.cancelled) t.push([o, o + 1], o + 2);
    assert.ok(t.storage.subscriptions[0]!.cancelled, 'storage call stopped at the buffer bound');
    assert.equal(t.sink.chunks.length, writtenBefore, 'nothing written while the transport is full');
    const received = t.storage.subscriptions.length;
    assert.equal(received, 1);
    t.sink.drain();
    assert.equal(t.storage.subscriptions.length, 2);
    const resumeAt = Number(t.storage.subscriptions[1]!.request.from_offset);
    t.push(Array.from({ length: 30 - resumeAt }, (_, i) => resumeAt + i), 30);
    assert.deepEqual(t.delivered(), Array.from({ length: 30 }, (_, i) => t.seq(i)));
    // Events hold at most eventBytesMax (50) of record bytes: 4 records of 11 bytes.
    assert.ok(t.sink.events().every((e) => (e['Records'] as unknown[]).length <= 4));
  });

  it('ends a closed shard with its ChildShards and no continuation, after the last record', () => {
    const t = setup();
    const shards = t.view.shards.get(t.stream.streamId)!;
    const parent = shards.get('shardId-000000000000')!.value;
    t.push([0, 1], 2);
    const closed = { ...parent, endingSequenceNumber: t.seq(2), sealedLogEnd: 3, closedMs: 1 };
    shards.set(parent.shardId, { value: closed, modRevision: '10' });
    for (const [i, range] of [[1, ['0', '100']], [2, ['101', parent.hashKeyEnd]]] as const) {
      const id = `shardId-00000000000${i}`;
      shards.set(id, { value: { ...parent, shardId: id, shardIndex: i, hashKeyStart: range[0], hashKeyEnd: range[1], parentShardId: parent.shardId }, modRevision: '10' });
    }
    t.fanOut.onMetadataChange({ kind: 'shard', streamId: t.stream.streamId, shardId: parent.shardId, value: shards.get(parent.shardId) });
    assert.ok(!t.sink.ended, 'offset 2 is not delivered yet');
    t.push([2], 3);
    assert.ok(t.sink.ended);
    const events = t.sink.events();
    const last = events[events.length - 1]!;
    assert.equal(last['ContinuationSequenceNumber'], undefined);
    assert.deepEqual(last['ChildShards'], [
      { ShardId: 'shardId-000000000001', ParentShards: [parent.shardId], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '100' } },
      { ShardId: 'shardId-000000000002', ParentShards: [parent.shardId], HashKeyRange: { StartingHashKey: '101', EndingHashKey: parent.hashKeyEnd } },
    ]);
    assert.ok(events.slice(0, -1).every((e) => e['ContinuationSequenceNumber'] !== undefined && e['ChildShards'] === undefined));
    assert.deepEqual(t.delivered(), [0, 1, 2].map(t.seq));
  });

  it('ends with ResourceInUseException when another subscription takes over, and on client close frees its slot', () => {
    const t = setup();
    t.fanOut.onMetadataChange({ kind: 'subscription', streamId: t.stream.streamId, consumerName: 'c', shardId: 'shardId-000000000000', value: { subscriptionId: 'sub-1', apiId: 'api-1', startedMs: 1 } });
    assert.ok(!t.sink.ended, 'its own claim changes nothing');
    t.fanOut.onMetadataChange({ kind: 'subscription', streamId: t.stream.streamId, consumerName: 'c', shardId: 'shardId-000000000000', value: { subscriptionId: 'sub-2', apiId: 'api-2', startedMs: 2 } });
    const last = t.sink.messages()[t.sink.messages().length - 1]!;
    assert.equal(last.headers[':message-type'], 'exception');
    assert.equal(last.headers[':exception-type'], 'ResourceInUseException');
    assert.ok(t.sink.ended);
    assert.ok(t.storage.subscriptions[0]!.cancelled);

    const u = setup();
    u.sink.close();
    assert.ok(u.storage.subscriptions[0]!.cancelled);
    assert.equal(u.fanOut.size(), 0);
    assert.equal(u.timers.pending(), 0);
  });

  it('frees everything at once when the client left before the body started', () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1, ['n1']);
    const timers = new FakeTimers();
    const storage = new ScriptedStorage();
    const fanOut = new FanOut('api-1', {
      view, storage, logger: createLogger('test', {}, 'error'), metrics: new ApiMetrics([...OPERATIONS.keys()]), now: timers.now, crypto: new RecordCrypto(TEST_MASTER_KEY), settings: SETTINGS, timers,
    });
    assert.ok(fanOut.reserve());
    const sub = fanOut.open({
      subscriptionId: 'sub-1', streamId: stream.streamId, streamName: 's', consumerName: 'c', consumerArn: 'arn', shardId: 'shardId-000000000000',
      startOffset: 0,
    }, jsonCodec);
    const gone = new FakeSink();
    gone.close();
    sub.pipe(gone);
    assert.equal(fanOut.size(), 0);
    assert.equal(timers.pending(), 0);
    assert.equal(storage.subscriptions.length, 0);
    assert.equal(gone.chunks.length, 0);
  });

  it('reports MillisBehindLatest while the client is behind the high watermark', () => {
    const t = setup();
    t.push([0], 50);
    assert.equal(t.sink.events()[0]!['MillisBehindLatest'], 100);
  });
});

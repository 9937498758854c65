/**
 * The node's Subscribe call over real gRPC, on an in-memory ShardReader:
 * records as the high watermark moves (onChange), heartbeats, the end when
 * the replica stops leading, pacing, the node bound, and flow control (a
 * client that stops reading stops the node's reads).
 */
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { RecordBatch, encodeRecordBatch, type ReplicaRole } from '@shoal/core';
import { createLogger, loadProto, type StorageNodeClient, type SubscribeMessage__Output, type SubscribeRequest } from '@shoal/wire';
import { ShardSubscriptions, type SubscriptionLimits } from '../src/shard-subscriptions';
import type { ShardReadLimiter, ShardReader, ShardRef } from '../src/shard-reader';

const SHARD: ShardRef = { streamId: 'st', shardId: 'shardId-000000000000' };

/** A replica's read side in memory: append committed records, change role, close. */
class MemoryReader implements ShardReader {
  readonly shard = SHARD;
  readonly streamName = 's';
  private readonly batches: RecordBatch[] = [];
  private hw = 0;
  private roleNow: ReplicaRole = 'leader';
  private closed = false;
  private readonly listeners = new Set<() => void>();
  reads = 0;

  role(): ReplicaRole { return this.roleNow; }
  epoch(): number { return 1; }
  highWatermark(): number { return this.hw; }
  logStartOffset(): number { return 0; }
  isClosed(): boolean { return this.closed; }
  /** Throughput limits on (the node paces subscriptions only then). */
  limitsOn = false;
  readLimiter(): ShardReadLimiter | undefined { return this.limitsOn ? { tryReadCall: () => true, chargeRead: () => undefined } : undefined; }
  noteRead(): void { /* not metered */ }
  async offsetAtTime(): Promise<number | undefined> { return undefined; }
  async arrivalAt(): Promise<number> { return 0; }

  async batchesFrom(from: number, end: number, maxBytes: number): Promise<RecordBatch[]> {
    this.reads++;
    const out: RecordBatch[] = [];
    let bytes = 0;
    for (const b of this.batches) {
      if (b.header.firstOffset + b.header.count <= from || b.header.firstOffset >= Math.min(end, this.hw)) continue;
      if (out.length > 0 && bytes + b.bytes.length > maxBytes) break;
      out.push(b);
      bytes += b.bytes.length;
    }
    return out;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Commits `count` records of `bytes` bytes each (one batch). */
  commit(count: number, bytes = 10): void {
    const records = Array.from({ length: count }, (_, i) => ({ data: Buffer.alloc(bytes, (this.hw + i) % 256), partitionKey: `k${this.hw + i}`, arrivalMs: 1000 + this.hw + i }));
    const parsed = RecordBatch.parse(encodeRecordBatch(1, this.hw, records), true);
    if (typeof parsed === 'string') throw new Error(parsed);
    this.batches.push(parsed);
    this.hw += count;
    this.changed();
  }

  setRole(role: ReplicaRole): void { this.roleNow = role; this.changed(); }
  close(): void { this.closed = true; this.changed(); }
  private changed(): void { for (const l of [...this.listeners]) l(); }
}

interface Harness {
  readonly reader: MemoryReader;
  readonly subs: ShardSubscriptions;
  readonly client: StorageNodeClient;
  close(): Promise<void>;
}

async function start(limits: Partial<SubscriptionLimits> = {}): Promise<Harness> {
  const reader = new MemoryReader();
  const subs = new ShardSubscriptions({
    lookup: (ref) => (ref.streamId === SHARD.streamId && ref.shardId === SHARD.shardId ? reader : undefined),
    clock: () => performance.now(), logger: createLogger('test', {}, 'error'), limits,
  });
  const server = new grpc.Server();
  const Service = loadProto().shoal.v1.StorageNode;
  server.addService(Service.service, { Subscribe: (call: Parameters<ShardSubscriptions['handle']>[0]) => subs.handle(call) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const client = new Service(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as StorageNodeClient;
  return {
    reader, subs, client,
    close: async () => {
      client.close();
      server.forceShutdown();
    },
  };
}

/** Collects a call's messages; `until` resolves once the predicate holds over them. */
function collect(client: StorageNodeClient, request: SubscribeRequest) {
  const messages: SubscribeMessage__Output[] = [];
  const call = client.Subscribe(request);
  let ended = false;
  const waiters: Array<() => void> = [];
  const poke = (): void => { for (const w of waiters.splice(0)) w(); };
  call.on('data', (m: SubscribeMessage__Output) => { messages.push(m); poke(); });
  call.on('end', () => { ended = true; poke(); });
  call.on('error', () => { ended = true; poke(); });
  const until = async (pred: () => boolean, ms = 5_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${messages.length} messages, ended ${ended}`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50); });
    }
  };
  const offsets = (): number[] => messages.flatMap((m) => m.records.map((r) => Number(r.offset)));
  return { call, messages, until, offsets, isEnded: () => ended };
}

const shard = { stream_id: SHARD.streamId, shard_id: SHARD.shardId };

describe('storage node Subscribe', () => {
  let h: Harness;
  afterEach(async () => { await h.close(); });

  it('sends committed records from the offset, then new ones as the high watermark moves, in order', async () => {
    h = await start({ heartbeatMs: 60_000 });
    h.reader.commit(5);
    const c = collect(h.client, { shard, from_offset: 2 });
    await c.until(() => c.offsets().length === 3);
    h.reader.commit(4);
    h.reader.commit(1);
    await c.until(() => c.offsets().length === 8);
    assert.deepEqual(c.offsets(), [2, 3, 4, 5, 6, 7, 8, 9]);
    const last = c.messages[c.messages.length - 1]!;
    assert.equal(Number(last.high_watermark), 10);
    assert.equal(last.records[last.records.length - 1]!.partition_key, 'k9');
    assert.equal(h.subs.size(), 1);
    c.call.cancel();
    await c.until(() => h.subs.size() === 0);
  });

  it('sends a heartbeat with the high watermark when nothing moves', async () => {
    h = await start({ heartbeatMs: 100 });
    h.reader.commit(1);
    const c = collect(h.client, { shard, from_offset: 1 });
    await c.until(() => c.messages.length >= 3);
    assert.ok(c.messages.every((m) => m.error === 'OK' && m.records.length === 0 && Number(m.high_watermark) === 1));
    c.call.cancel();
  });

  it('ends with NOT_LEADER when the replica stops leading or closes, SHARD_NOT_FOUND without a replica', async () => {
    h = await start({ heartbeatMs: 60_000 });
    h.reader.commit(2);
    const a = collect(h.client, { shard, from_offset: 0 });
    await a.until(() => a.offsets().length === 2);
    h.reader.setRole('follower');
    await a.until(() => a.isEnded());
    assert.equal(a.messages[a.messages.length - 1]!.error, 'NOT_LEADER');
    h.reader.setRole('leader');
    const b = collect(h.client, { shard, from_offset: 2 });
    await b.until(() => b.messages.length >= 0 && h.subs.size() === 1);
    h.reader.close();
    await b.until(() => b.isEnded());
    assert.equal(b.messages[b.messages.length - 1]!.error, 'NOT_LEADER');
    const c = collect(h.client, { shard: { stream_id: 'other', shard_id: 'x' }, from_offset: 0 });
    await c.until(() => c.isEnded());
    assert.equal(c.messages[0]!.error, 'SHARD_NOT_FOUND');
  });

  it('refuses calls past the node bound', async () => {
    h = await start({ subscriptionsMax: 1, heartbeatMs: 60_000 });
    const a = collect(h.client, { shard, from_offset: 0 });
    await a.until(() => h.subs.size() === 1);
    const b = collect(h.client, { shard, from_offset: 0 });
    await b.until(() => b.isEnded());
    assert.equal(b.messages[0]!.error, 'TOO_MANY_SUBSCRIPTIONS');
    a.call.cancel();
  });

  it('paces the records to bytes_per_sec when the node enforces limits, and not with limits off', async () => {
    h = await start({ heartbeatMs: 60_000 });
    h.reader.commit(40, 1000);
    const unpaced = collect(h.client, { shard, from_offset: 0, bytes_per_sec: 10_000, max_bytes: 2_000 });
    await unpaced.until(() => unpaced.offsets().length === 40, 2_000);
    unpaced.call.cancel();
    h.reader.limitsOn = true;
    // 40 records of 1000 + 3 bytes; 10 KB/s: the first 10 KB at once (the burst), the rest about 3 s later.
    const started = Date.now();
    const c = collect(h.client, { shard, from_offset: 0, bytes_per_sec: 10_000, max_bytes: 2_000 });
    await c.until(() => c.offsets().length >= 10, 2_000);
    await c.until(() => c.offsets().length === 40, 10_000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2_500, `40 KB at 10 KB/s took ${elapsed} ms`);
    assert.deepEqual(c.offsets(), Array.from({ length: 40 }, (_, i) => i));
    c.call.cancel();
  });

  it('stops reading when the client stops reading (flow control), and goes on when it reads again', async () => {
    h = await start({ heartbeatMs: 60_000, messagesInFlightMax: 2 });
    // 2000 records of 10 KB: far more than the transport windows hold.
    for (let i = 0; i < 20; i++) h.reader.commit(100, 10_000);
    const call = h.client.Subscribe({ shard, from_offset: 0, max_bytes: 100_000 });
    const seen: number[] = [];
    call.on('data', (m: SubscribeMessage__Output) => { for (const r of m.records) seen.push(Number(r.offset)); });
    call.on('error', () => undefined);
    call.pause();
    await new Promise((r) => setTimeout(r, 1_000));
    const readsWhilePaused = h.reader.reads;
    await new Promise((r) => setTimeout(r, 500));
    // The node read at most what fits the windows (about 64 KiB each side) plus two messages in flight, then stopped.
    assert.equal(h.reader.reads, readsWhilePaused, 'no reads while the client does not read');
    assert.ok(readsWhilePaused < 20, `reads while paused: ${readsWhilePaused}`);
    call.resume();
    const deadline = Date.now() + 20_000;
    while (seen.length < 2000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(seen.length, 2000);
    assert.ok(seen.every((o, i) => o === i));
    call.cancel();
  });
});

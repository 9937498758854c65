/** An OperationContext over an in-memory ClusterView and scripted storage calls (no sockets, no etcd). */
import { evenHashKeyRanges, shardIdFromIndex, startingSequenceNumber } from '@shoal/core';
import { ClusterView, streamKeyOf, type ConsumerRecord, type ConsumerWrites, type RegisterCheck, type RegisterOutcome, type ShardRecord, type StreamRecord, type SubscriptionClaim } from '@shoal/metadata';
import {
  createLogger, type AppendShardsRequest, type AppendShardsResponse__Output, type ReadRequest, type ReadResponse__Output, type SeekRequest, type SeekResponse__Output,
  type ShardAppendResult__Output, type ShardRecords, type SubscribeRequest,
} from '@shoal/wire';
import { FanOut } from '../../src/fanout/fan-out';
import { FAN_OUT_DEFAULTS, type FanOutSettings } from '../../src/fanout/fan-out-settings';
import { parseMasterKey } from '../../src/encryption/master-key';
import { RecordCrypto } from '../../src/encryption/record-crypto';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher } from '../../src/dispatcher';
import { ApiMetrics } from '../../src/metrics';
import type { OperationContext } from '../../src/operation';
import { OPERATIONS } from '../../src/operations/index';
import { ShardRouting } from '../../src/storage/shard-routing';
import type { StorageCalls, StorageSubscription, SubscribeHandlers } from '../../src/storage/storage-clients';
import { RecordDistributor } from '../../src/streams/record-distribution';
import { FakeTimers } from './fake-timers';
import { UNVERIFIED_SIGNATURE } from './signature';

export const ACCOUNT = '000000000000';
/** The arrival time compactOk answers (the sequence numbers carry its second). */
export const ARRIVAL_MS = 1_700_000_000_000;
/** The master key of fake contexts (encryption at rest). */
export const TEST_MASTER_KEY = parseMasterKey(Buffer.alloc(32, 5).toString('base64'), 'test');

export function addStream(view: ClusterView, name: string, shardCount: number, leaders: readonly string[] = ['n1'], account = ACCOUNT): StreamRecord {
  const streamId = account === ACCOUNT ? `id-${name}` : `id-${account}-${name}`;
  const stream: StreamRecord = {
    accountId: account, region: 'us-east-1', streamName: name, streamId, streamArn: `arn:aws:kinesis:us-east-1:${account}:stream/${name}`, status: 'ACTIVE', mode: 'PROVISIONED',
    initialShardCount: shardCount, retentionPeriodHours: 24, createdMs: 1_000_000, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {},
    nextShardIndex: shardCount,
  };
  view.setStream(`${account}/us-east-1/${name}`, { value: stream, modRevision: '1' });
  const shards = new Map<string, { value: ShardRecord; modRevision: string }>();
  // Each stream's shards carry their own creation second, as streams created at different times do.
  const createdSecs = 1_000 + [...name].reduce((n, c) => n + c.charCodeAt(0), 0);
  evenHashKeyRanges(shardCount).forEach((r, i) => {
    const shardId = shardIdFromIndex(i);
    const leader = leaders[i % leaders.length]!;
    shards.set(shardId, {
      modRevision: '1',
      value: {
        streamId, streamName: name, shardId, shardIndex: i, hashKeyStart: r.start.toString(), hashKeyEnd: r.end.toString(),
        startingSequenceNumber: startingSequenceNumber(createdSecs, i),
        createdMs: 1_000_000, replicas: ['n1', 'n2', 'n3'], leader, epoch: 1, isr: ['n1', 'n2', 'n3'],
      },
    });
  });
  view.shards.set(streamId, shards);
  for (const n of ['n1', 'n2', 'n3']) {
    view.nodes.set(n, { nodeId: n, az: `az-${n}`, grpcAddress: `127.0.0.1:1${n.slice(1)}`, httpAddress: '', pid: 1, startedMs: 0 });
  }
  return stream;
}

/** Storage whose answers come from the given functions (appends: one per shard of a call); records every call. */
export class ScriptedStorage implements StorageCalls {
  /** Every shard of every AppendShards call, in order. */
  readonly appends: Array<{ nodeId: string; request: ShardRecords }> = [];
  /** Every AppendShards call: the node and how many shards it carried. */
  readonly calls: Array<{ nodeId: string; shards: number }> = [];
  constructor(
    public onAppend: (nodeId: string, request: ShardRecords, n: number) => Promise<ShardAppendResult__Output> = async () => { throw new Error('no append script'); },
    public onRead: (nodeId: string, request: ReadRequest) => Promise<ReadResponse__Output> = async () => { throw new Error('no read script'); },
    public onSeek: (nodeId: string, request: SeekRequest) => Promise<SeekResponse__Output> = async () => { throw new Error('no seek script'); },
  ) {}
  async appendShards(nodeId: string, request: AppendShardsRequest): Promise<AppendShardsResponse__Output> {
    const shards = request.shards ?? [];
    this.calls.push({ nodeId, shards: shards.length });
    const results = await Promise.all(shards.map((item) => {
      this.appends.push({ nodeId, request: item });
      return this.onAppend(nodeId, item, this.appends.length);
    }));
    return { results };
  }
  read(nodeId: string, request: ReadRequest): Promise<ReadResponse__Output> { return this.onRead(nodeId, request); }
  seek(nodeId: string, request: SeekRequest): Promise<SeekResponse__Output> { return this.onSeek(nodeId, request); }
  /** Subscribe calls made, with their handlers (a test plays the node through them); cancelled ones are marked. */
  readonly subscriptions: Array<{ nodeId: string; request: SubscribeRequest; handlers: SubscribeHandlers; cancelled: boolean }> = [];
  subscribe(nodeId: string, request: SubscribeRequest, handlers: SubscribeHandlers): StorageSubscription {
    const entry = { nodeId, request, handlers, cancelled: false };
    this.subscriptions.push(entry);
    return { cancel: () => { entry.cancelled = true; } };
  }
}

/**
 * Consumer writes over the in-memory view, as etcd and the watch would make
 * them (revisions count up); subscription claims expire `ttlSec` after they
 * were made, by the context's clock.
 */
export class MemoryConsumers implements ConsumerWrites {
  private revision = 100;
  readonly claims = new Map<string, { claim: SubscriptionClaim; untilMs: number }>();
  constructor(private readonly view: ClusterView, private readonly now: () => number) {}

  async registerConsumer(record: ConsumerRecord, check: RegisterCheck): Promise<RegisterOutcome> {
    const refusal = check(this.view.consumers.of(record.streamId).map((c) => c.value));
    if (refusal !== undefined) return { ok: false, refusal };
    this.view.consumers.set(record.streamId, record.consumerName, { value: record, modRevision: String(++this.revision) });
    return { ok: true };
  }

  async updateConsumer(record: ConsumerRecord, expectedModRevision: string): Promise<boolean> {
    const current = this.view.consumers.get(record.streamId, record.consumerName);
    if (!current || current.modRevision !== expectedModRevision) return false;
    this.view.consumers.set(record.streamId, record.consumerName, { value: record, modRevision: String(++this.revision) });
    return true;
  }

  async claimSubscription(streamId: string, consumerName: string, shardId: string, claim: SubscriptionClaim, ttlSec: number): Promise<boolean> {
    const key = `${streamId}/${consumerName}/${shardId}`;
    const held = this.claims.get(key);
    if (held && held.untilMs > this.now()) return false;
    this.claims.set(key, { claim, untilMs: this.now() + ttlSec * 1000 });
    return true;
  }
}

/** A node's OK answer for one shard (compact results). */
export function compactOk(firstOffset: number, count: number, throttledIndexes: number[] = []): ShardAppendResult__Output {
  return { error: 'OK', error_message: '', epoch: 1, first_offset: firstOffset, throttled_indexes: throttledIndexes, result_count: count, arrival_ms: ARRIVAL_MS };
}

/** A node's refusal for one shard. */
export function refused(error: ShardAppendResult__Output['error'], message = ''): ShardAppendResult__Output {
  return { error, error_message: message, epoch: 1, first_offset: 0, throttled_indexes: [], result_count: 0, arrival_ms: 0 };
}

/** Offsets handed out per shard by okAppend. */
export function okAppend(): (nodeId: string, request: ShardRecords) => Promise<ShardAppendResult__Output> {
  const next = new Map<string, number>();
  return async (_nodeId, request) => {
    const key = request.shard!.shard_id!;
    const start = next.get(key) ?? 0;
    const count = request.record_count ?? 0;
    next.set(key, start + count);
    return compactOk(start, count);
  };
}

export function fakeContext(view: ClusterView, storage: StorageCalls, onWait: (view: ClusterView) => void = () => undefined, nowMs = 2_000_000,
  fanOutSettings: Partial<FanOutSettings> = {}): OperationContext & { now: () => number; setNow(ms: number): void; timers: FakeTimers; fanOut: FanOut } {
  let now = nowMs;
  const timers = new FakeTimers(nowMs);
  const metrics = new ApiMetrics([...OPERATIONS.keys()]);
  const logger = createLogger('test', {}, 'error');
  const clock = (): number => now;
  const crypto = new RecordCrypto(TEST_MASTER_KEY);
  const fanOut = new FanOut('test-api', { view, storage, logger, metrics, now: clock, crypto, settings: { ...FAN_OUT_DEFAULTS, ...fanOutSettings }, timers });
  return {
    config: { region: 'us-east-1', accountId: ACCOUNT },
    caller: { region: 'us-east-1', accountId: ACCOUNT },
    request: { operation: 'Test', secureTransport: false },
    view,
    metadata: {
      createStream: async () => true,
      updateStream: async () => true,
      putResourcePolicy: async (record) => { view.policies.set(record.resourceArn, { value: record, modRevision: '1' }); },
      deleteResourcePolicy: async (arn) => view.policies.delete(arn),
      putAccountSettings: async () => true,
      waitFor: async (predicate) => { onWait(view); if (!predicate(view)) throw new Error('metadata wait timed out'); },
      consumers: new MemoryConsumers(view, clock),
    },
    storage,
    routing: new ShardRouting(view),
    iteratorKey: Buffer.alloc(32, 7),
    metrics,
    logger,
    now: clock,
    setNow(ms: number) { now = ms; },
    timers,
    fanOut,
    crypto,
    distributor: new RecordDistributor(),
  };
}

export { ClusterView };

/** Gives the account the On-demand Advantage commitment (warm throughput allowed) from `startedMs`. */
export function enableCommitment(view: ClusterView, startedMs = 0): void {
  view.accountSettings.set(ACCOUNT, {
    modRevision: '1',
    value: { accountId: ACCOUNT, minimumThroughputBillingCommitment: { startedMs, earliestAllowedEndMs: startedMs + 24 * 3_600_000 } },
  });
}

/** A response body as the test clients read it: empty (an operation without output members) or JSON. */
export function parseBody(body: Buffer): Record<string, unknown> {
  return body.length === 0 ? {} : JSON.parse(body.toString()) as Record<string, unknown>;
}

/**
 * A context whose metadata writes land in `view` at once (guarded by the
 * revision, as etcd's are), so operations read their own writes; an
 * in-memory stand-in for the MetadataStore.
 */
export function liveContext(view: ClusterView, storage: StorageCalls, nowMs = 2_000_000): ReturnType<typeof fakeContext> {
  const base = fakeContext(view, storage, () => undefined, nowMs);
  let revision = 100;
  return {
    ...base,
    metadata: {
      createStream: async (record) => {
        const key = streamKeyOf(record);
        if (view.streams.has(key)) return false;
        view.setStream(key, { value: record, modRevision: String(++revision) });
        return true;
      },
      updateStream: async (record, expected) => {
        const key = streamKeyOf(record);
        if (view.streams.get(key)?.modRevision !== expected) return false;
        view.setStream(key, { value: record, modRevision: String(++revision) });
        return true;
      },
      putAccountSettings: async (record, expected) => {
        if ((view.accountSettings.get(record.accountId)?.modRevision ?? '0') !== expected) return false;
        view.accountSettings.set(record.accountId, { value: record, modRevision: String(++revision) });
        return true;
      },
      putResourcePolicy: base.metadata.putResourcePolicy,
      deleteResourcePolicy: base.metadata.deleteResourcePolicy,
      consumers: base.metadata.consumers,
      waitFor: async (predicate) => { if (!predicate(view)) throw new Error('metadata wait timed out'); },
    },
  };
}

/** A dispatcher over `ctx` with the control-plane rate limits off, and a JSON caller signing for `region`. */
export function jsonCaller(ctx: OperationContext, region = 'us-east-1'): (op: string, body: unknown) => Promise<{ status: number; body: Record<string, unknown> }> {
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(new Map()));
  const signature = { ...UNVERIFIED_SIGNATURE, authorization: UNVERIFIED_SIGNATURE['authorization']!.replace('/us-east-1/', `/${region}/`) };
  return async (op, body) => {
    const res = await dispatcher.handle({
      headers: { ...signature, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}` },
      body: Buffer.from(JSON.stringify(body)),
    });
    return { status: res.status, body: parseBody(res.body as Buffer) };
  };
}

/** An OperationContext over an in-memory ClusterView and scripted storage calls (no sockets, no etcd). */
import { evenHashKeyRanges, shardIdFromIndex, startingSequenceNumber } from '@shoal/core';
import { ClusterView, streamKeyOf, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import { createLogger, type AppendRequest, type AppendResponse__Output, type ReadRequest, type ReadResponse__Output, type SeekRequest, type SeekResponse__Output } from '@shoal/wire';
import { parseMasterKey } from '../../src/encryption/master-key';
import { RecordCrypto } from '../../src/encryption/record-crypto';
import { ControlRateLimiter } from '../../src/control-rate-limiter';
import { Dispatcher } from '../../src/dispatcher';
import { ApiMetrics } from '../../src/metrics';
import type { OperationContext } from '../../src/operation';
import { OPERATIONS } from '../../src/operations/index';
import { ShardRouting } from '../../src/storage/shard-routing';
import type { StorageCalls } from '../../src/storage/storage-clients';
import { RecordDistributor } from '../../src/streams/record-distribution';

export const ACCOUNT = '000000000000';
/** The arrival time compactOk answers (the sequence numbers carry its second). */
export const ARRIVAL_MS = 1_700_000_000_000;
/** The master key of fake contexts (encryption at rest). */
export const TEST_MASTER_KEY = parseMasterKey(Buffer.alloc(32, 5).toString('base64'), 'test');

export function addStream(view: ClusterView, name: string, shardCount: number, leaders: readonly string[] = ['n1']): StreamRecord {
  const streamId = `id-${name}`;
  const stream: StreamRecord = {
    accountId: ACCOUNT, region: 'us-east-1', streamName: name, streamId, streamArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`, status: 'ACTIVE', mode: 'PROVISIONED',
    initialShardCount: shardCount, retentionPeriodHours: 24, createdMs: 1_000_000, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {},
    nextShardIndex: shardCount,
  };
  view.setStream(`${ACCOUNT}/us-east-1/${name}`, { value: stream, modRevision: '1' });
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

/** Storage whose answers come from the given functions; records every call. */
export class ScriptedStorage implements StorageCalls {
  readonly appends: Array<{ nodeId: string; request: AppendRequest }> = [];
  constructor(
    public onAppend: (nodeId: string, request: AppendRequest, n: number) => Promise<AppendResponse__Output> = async () => { throw new Error('no append script'); },
    public onRead: (nodeId: string, request: ReadRequest) => Promise<ReadResponse__Output> = async () => { throw new Error('no read script'); },
    public onSeek: (nodeId: string, request: SeekRequest) => Promise<SeekResponse__Output> = async () => { throw new Error('no seek script'); },
  ) {}
  append(nodeId: string, request: AppendRequest): Promise<AppendResponse__Output> {
    this.appends.push({ nodeId, request });
    return this.onAppend(nodeId, request, this.appends.length);
  }
  read(nodeId: string, request: ReadRequest): Promise<ReadResponse__Output> { return this.onRead(nodeId, request); }
  seek(nodeId: string, request: SeekRequest): Promise<SeekResponse__Output> { return this.onSeek(nodeId, request); }
}

/** A node's OK answer to a records_body Append (compact results). */
export function compactOk(firstOffset: number, count: number, throttledIndexes: number[] = []): AppendResponse__Output {
  return { error: 'OK', error_message: '', epoch: 1, results: [], first_offset: firstOffset, throttled_indexes: throttledIndexes, result_count: count, arrival_ms: ARRIVAL_MS };
}

/** Offsets handed out per shard by okAppend. */
export function okAppend(): (nodeId: string, request: AppendRequest) => Promise<AppendResponse__Output> {
  const next = new Map<string, number>();
  return async (_nodeId, request) => {
    const key = request.shard!.shard_id!;
    const start = next.get(key) ?? 0;
    const count = request.record_count ?? 0;
    next.set(key, start + count);
    return compactOk(start, count);
  };
}

export function fakeContext(view: ClusterView, storage: StorageCalls, onWait: (view: ClusterView) => void = () => undefined, nowMs = 2_000_000): OperationContext & { now: () => number; setNow(ms: number): void } {
  let now = nowMs;
  return {
    config: { region: 'us-east-1', accountId: ACCOUNT },
    caller: { region: 'us-east-1', accountId: ACCOUNT },
    view,
    metadata: {
      createStream: async () => true,
      updateStream: async () => true,
      putAccountSettings: async () => true,
      waitFor: async (predicate) => { onWait(view); if (!predicate(view)) throw new Error('metadata wait timed out'); },
    },
    storage,
    routing: new ShardRouting(view),
    iteratorKey: Buffer.alloc(32, 7),
    metrics: new ApiMetrics([...OPERATIONS.keys()]),
    logger: createLogger('test', {}, 'error'),
    now: () => now,
    setNow(ms: number) { now = ms; },
    crypto: new RecordCrypto(TEST_MASTER_KEY),
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
      waitFor: async (predicate) => { if (!predicate(view)) throw new Error('metadata wait timed out'); },
    },
  };
}

/** A dispatcher over `ctx` with the control-plane rate limits off, and a JSON caller. */
export function jsonCaller(ctx: OperationContext): (op: string, body: unknown) => Promise<{ status: number; body: Record<string, unknown> }> {
  const dispatcher = new Dispatcher(ctx, OPERATIONS, new ControlRateLimiter(new Map()));
  return async (op, body) => {
    const res = await dispatcher.handle({
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}` },
      body: Buffer.from(JSON.stringify(body)),
    });
    return { status: res.status, body: parseBody(res.body as Buffer) };
  };
}

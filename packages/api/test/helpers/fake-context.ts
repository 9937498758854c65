/** An OperationContext over an in-memory ClusterView and scripted storage calls (no sockets, no etcd). */
import { encodeSequenceNumber, evenHashKeyRanges, shardIdFromIndex, streamTagOf } from '@shoal/core';
import { ClusterView, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import { createLogger, type AppendRequest, type AppendResponse__Output, type ReadRequest, type ReadResponse__Output, type SeekRequest, type SeekResponse__Output } from '@shoal/wire';
import { ApiMetrics } from '../../src/metrics';
import type { OperationContext } from '../../src/operation';
import { OPERATIONS } from '../../src/operations/index';
import { ShardRouting } from '../../src/storage/shard-routing';
import type { StorageCalls } from '../../src/storage/storage-clients';

export const ACCOUNT = '000000000000';

export function addStream(view: ClusterView, name: string, shardCount: number, leaders: readonly string[] = ['n1'], account = ACCOUNT): StreamRecord {
  const streamId = account === ACCOUNT ? `id-${name}` : `id-${account}-${name}`;
  const stream: StreamRecord = {
    accountId: account, region: 'us-east-1', streamName: name, streamId, streamArn: `arn:aws:kinesis:us-east-1:${account}:stream/${name}`, status: 'ACTIVE', mode: 'PROVISIONED',
    initialShardCount: shardCount, retentionPeriodHours: 24, createdMs: 1_000_000, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {},
    nextShardIndex: shardCount,
  };
  view.setStream(`${account}/us-east-1/${name}`, { value: stream, modRevision: '1' });
  const shards = new Map<string, { value: ShardRecord; modRevision: string }>();
  evenHashKeyRanges(shardCount).forEach((r, i) => {
    const shardId = shardIdFromIndex(i);
    const leader = leaders[i % leaders.length]!;
    shards.set(shardId, {
      modRevision: '1',
      value: {
        streamId, streamName: name, shardId, shardIndex: i, hashKeyStart: r.start.toString(), hashKeyEnd: r.end.toString(),
        startingSequenceNumber: encodeSequenceNumber({ streamTag: streamTagOf(streamId), shardIndex: i, offset: 0n }),
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
  return { error: 'OK', error_message: '', epoch: 1, results: [], first_offset: firstOffset, throttled_indexes: throttledIndexes, result_count: count };
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
    request: { operation: 'Test', secureTransport: false },
    view,
    metadata: {
      createStream: async () => true,
      updateStream: async () => true,
      putResourcePolicy: async (record) => { view.policies.set(record.resourceArn, { value: record, modRevision: '1' }); },
      deleteResourcePolicy: async (arn) => view.policies.delete(arn),
      waitFor: async (predicate) => { onWait(view); if (!predicate(view)) throw new Error('metadata wait timed out'); },
    },
    storage,
    routing: new ShardRouting(view),
    iteratorKey: Buffer.alloc(32, 7),
    metrics: new ApiMetrics([...OPERATIONS.keys()]),
    logger: createLogger('test', {}, 'error'),
    now: () => now,
    setNow(ms: number) { now = ms; },
  };
}

export { ClusterView };

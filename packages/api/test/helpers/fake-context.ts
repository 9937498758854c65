/** An OperationContext over an in-memory ClusterView and scripted storage calls (no sockets, no etcd). */
import { encodeSequenceNumber, evenHashKeyRanges, shardIdFromIndex, streamTagOf } from '@shoal/core';
import { ClusterView, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import {
  createLogger, type AppendShardsRequest, type AppendShardsResponse__Output, type ReadRequest, type ReadResponse__Output, type SeekRequest, type SeekResponse__Output,
  type ShardAppendResult__Output, type ShardRecords,
} from '@shoal/wire';
import { ApiMetrics } from '../../src/metrics';
import type { OperationContext } from '../../src/operation';
import { OPERATIONS } from '../../src/operations/index';
import { ShardRouting } from '../../src/storage/shard-routing';
import type { StorageCalls } from '../../src/storage/storage-clients';

export const ACCOUNT = '000000000000';

export function addStream(view: ClusterView, name: string, shardCount: number, leaders: readonly string[] = ['n1']): StreamRecord {
  const streamId = `id-${name}`;
  const stream: StreamRecord = {
    accountId: ACCOUNT, region: 'us-east-1', streamName: name, streamId, streamArn: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`, status: 'ACTIVE', mode: 'PROVISIONED',
    initialShardCount: shardCount, retentionPeriodHours: 24, createdMs: 1_000_000, encryptionType: 'NONE', maxRecordSizeKiB: 1024, tags: {},
    nextShardIndex: shardCount,
  };
  view.setStream(`${ACCOUNT}/us-east-1/${name}`, { value: stream, modRevision: '1' });
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
}

/** A node's OK answer for one shard (compact results). */
export function compactOk(firstOffset: number, count: number, throttledIndexes: number[] = []): ShardAppendResult__Output {
  return { error: 'OK', error_message: '', epoch: 1, first_offset: firstOffset, throttled_indexes: throttledIndexes, result_count: count };
}

/** A node's refusal for one shard. */
export function refused(error: ShardAppendResult__Output['error'], message = ''): ShardAppendResult__Output {
  return { error, error_message: message, epoch: 1, first_offset: 0, throttled_indexes: [], result_count: 0 };
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

export function fakeContext(view: ClusterView, storage: StorageCalls, onWait: (view: ClusterView) => void = () => undefined, nowMs = 2_000_000): OperationContext & { now: () => number; setNow(ms: number): void } {
  let now = nowMs;
  return {
    config: { region: 'us-east-1', accountId: ACCOUNT },
    caller: { region: 'us-east-1', accountId: ACCOUNT },
    view,
    metadata: {
      createStream: async () => true,
      updateStream: async () => true,
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

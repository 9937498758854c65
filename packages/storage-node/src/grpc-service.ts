/**
 * The node's gRPC service (proto StorageNode): AppendShards, Read, Seek
 * and Subscribe for the api tier, ShardCounters for the controller,
 * Replicate between nodes, Status for operators. Handlers only hand the request to the node driver (appends, replication) or to a
 * replica's reader (reads); they do no I/O of their own and never throw to
 * grpc (errors are ErrorCodes).
 */
import type * as grpc from '@grpc/grpc-js';
import type { Logger, ReplicaStatus, ShardRef__Output, StorageNodeHandlers } from '@shoal/wire';
import type { NodeDriver } from './node-driver';
import type { Replica } from './replica';
import { readRecords, seek } from './replica-reads';
import { handleReplicateStream } from './replication-inbound';
import { ShardSubscriptions } from './shard-subscriptions';
import { CorruptionError } from './store/corruption';

export interface ServiceDeps {
  readonly selfId: string;
  readonly az: string;
  readonly driver: NodeDriver;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Stored data failed its checksum (CorruptionError): the node stops and rebuilds at its next start (node-db.ts). */
  readonly onCorruption: (err: unknown) => void;
  /** The ShardCounters RPC (shard-counters.ts). */
  readonly shardCounters: StorageNodeHandlers['ShardCounters'];
}

function find(deps: ServiceDeps, shard: ShardRef__Output | null): Replica | undefined {
  return shard ? deps.driver.get({ streamId: shard.stream_id, shardId: shard.shard_id }) : undefined;
}

const NOT_FOUND = 'this node holds no replica of the shard';

export function storageNodeHandlers(deps: ServiceDeps): StorageNodeHandlers {
  const internal = (err: unknown): string => {
    deps.logger.error('request failed', { err });
    if (err instanceof CorruptionError) deps.onCorruption(err);
    return err instanceof Error ? err.message : String(err);
  };
  // Subscribe calls (enhanced fan-out) see a replica only through its ShardReader.
  const subscriptions = new ShardSubscriptions({ lookup: (ref) => deps.driver.get(ref)?.reader, clock: () => performance.now(), logger: deps.logger });
  return {
    ShardCounters: deps.shardCounters,
    Subscribe(call) {
      subscriptions.handle(call);
    },
    AppendShards(call, callback) {
      deps.driver.appendShards(call.request.shards).then(
        (results) => callback(null, { results }),
        (err: unknown) => {
          const message = internal(err);
          callback(null, { results: call.request.shards.map(() => ({ error: 'INTERNAL', error_message: message, epoch: 0, first_offset: 0, throttled_indexes: [], result_count: 0, arrival_ms: 0 })) });
        },
      );
    },
    Read(call, callback) {
      const replica = find(deps, call.request.shard);
      const fail = { records: [], high_watermark: 0, log_start_offset: 0, last_arrival_ms: 0 };
      if (!replica) { callback(null, { error: 'SHARD_NOT_FOUND', error_message: NOT_FOUND, ...fail }); return; }
      readRecords(replica.reader, call.request, deps.clock()).then(
        (res) => callback(null, res),
        (err: unknown) => callback(null, { error: 'INTERNAL', error_message: internal(err), ...fail }),
      );
    },
    Seek(call, callback) {
      const replica = find(deps, call.request.shard);
      if (!replica) { callback(null, { error: 'SHARD_NOT_FOUND', error_message: NOT_FOUND, offset: 0 }); return; }
      seek(replica.reader, call.request).then(
        (res) => callback(null, res),
        (err: unknown) => callback(null, { error: 'INTERNAL', error_message: internal(err), offset: 0 }),
      );
    },
    Replicate(call) {
      handleReplicateStream(call, deps.selfId, deps.driver);
    },
    Status(_call: grpc.ServerUnaryCall<unknown, unknown>, callback) {
      const replicas: ReplicaStatus[] = [...deps.driver.all()].map((r) => {
        const st = r.status();
        return {
          shard: { stream_id: r.shard.streamId, shard_id: r.shard.shardId }, role: st.role, epoch: st.epoch, log_end_offset: st.logEndOffset, high_watermark: st.highWatermark,
          follower_log_end: Object.fromEntries([...st.followerLogEnds].map(([k, v]) => [k, Math.max(0, v)])),
        };
      });
      callback(null, { node_id: deps.selfId, az: deps.az, replicas });
    },
  };
}

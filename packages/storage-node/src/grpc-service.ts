/**
 * The node's gRPC service (proto StorageNode): Append, Read, Seek and
 * Subscribe for the api tier, Replicate between nodes, Status for operators. Handlers only
 * find the replica and hand the request to its driver (or reads); they do
 * no I/O of their own and never throw to grpc (errors are ErrorCodes).
 */
import type * as grpc from '@grpc/grpc-js';
import type { Logger, ReplicaStatus, ShardRef__Output, StorageNodeHandlers } from '@shoal/wire';
import type { ReplicaDriver } from './replica-driver';
import type { ReplicaManager } from './replica-manager';
import { CorruptionError } from './db-integrity';
import { readRecords, seek } from './replica-reads';
import { handleReplicateStream } from './replication-inbound';
import { ShardSubscriptions } from './shard-subscriptions';

export interface ServiceDeps {
  readonly selfId: string;
  readonly az: string;
  readonly manager: ReplicaManager;
  readonly clock: () => number;
  readonly logger: Logger;
  /** Stored data failed its checksum (CorruptionError): the node stops and rebuilds at its next start (node-db.ts). */
  readonly onCorruption: (err: unknown) => void;
  /** The ShardCounters RPC (shard-counters.ts). */
  readonly shardCounters: StorageNodeHandlers['ShardCounters'];
}

function find(deps: ServiceDeps, shard: ShardRef__Output | null): ReplicaDriver | undefined {
  return shard ? deps.manager.get({ streamId: shard.stream_id, shardId: shard.shard_id }) : undefined;
}

const NOT_FOUND = 'this node holds no replica of the shard';

export function storageNodeHandlers(deps: ServiceDeps): StorageNodeHandlers {
  const internal = (err: unknown): string => {
    deps.logger.error('request failed', { err });
    if (err instanceof CorruptionError) deps.onCorruption(err);
    return err instanceof Error ? err.message : String(err);
  };
  // Subscribe calls (enhanced fan-out) see a replica only through its ShardReader.
  const subscriptions = new ShardSubscriptions({ lookup: (ref) => deps.manager.get(ref)?.reader, clock: () => performance.now(), logger: deps.logger });
  return {
    ShardCounters: deps.shardCounters,
    Subscribe(call) {
      subscriptions.handle(call);
    },
    Append(call, callback) {
      const driver = find(deps, call.request.shard);
      if (!driver) { callback(null, { error: 'SHARD_NOT_FOUND', error_message: NOT_FOUND, results: [], epoch: 0 }); return; }
      driver.append(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => callback(null, { error: 'INTERNAL', error_message: internal(err), results: [], epoch: 0 }),
      );
    },
    Read(call, callback) {
      const driver = find(deps, call.request.shard);
      const fail = { records: [], high_watermark: 0, log_start_offset: 0, last_arrival_ms: 0 };
      if (!driver) { callback(null, { error: 'SHARD_NOT_FOUND', error_message: NOT_FOUND, ...fail }); return; }
      readRecords(driver.reader, call.request, deps.clock()).then(
        (res) => callback(null, res),
        (err: unknown) => callback(null, { error: 'INTERNAL', error_message: internal(err), ...fail }),
      );
    },
    Seek(call, callback) {
      const driver = find(deps, call.request.shard);
      if (!driver) { callback(null, { error: 'SHARD_NOT_FOUND', error_message: NOT_FOUND, offset: 0 }); return; }
      seek(driver.reader, call.request).then(
        (res) => callback(null, res),
        (err: unknown) => callback(null, { error: 'INTERNAL', error_message: internal(err), offset: 0 }),
      );
    },
    Replicate(call) {
      handleReplicateStream(call, deps.selfId, { lookup: (ref) => deps.manager.get(ref), allDrivers: () => deps.manager.all() });
    },
    Status(_call: grpc.ServerUnaryCall<unknown, unknown>, callback) {
      const replicas: ReplicaStatus[] = [...deps.manager.all()].map((d) => ({
        shard: { stream_id: d.shard.streamId, shard_id: d.shard.shardId },
        role: d.machine.role(),
        epoch: d.machine.epoch(),
        log_end_offset: d.machine.logEndOffset(),
        high_watermark: d.machine.highWatermark(),
        follower_log_end: Object.fromEntries([...d.machine.followerLogEnds()].map(([k, v]) => [k, Math.max(0, v)])),
      }));
      callback(null, { node_id: deps.selfId, az: deps.az, replicas });
    },
  };
}

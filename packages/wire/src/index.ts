/**
 * The gRPC contracts of proto/, loaded at run time with the same options
 * the generated types in ./gen were made with, so the types match.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import type { ProtoGrpcType } from './gen/storage';

export type { ProtoGrpcType } from './gen/storage';
export type { StorageNodeClient, StorageNodeHandlers } from './gen/shoal/v1/StorageNode';
export type { AppendShardsRequest, AppendShardsRequest__Output } from './gen/shoal/v1/AppendShardsRequest';
export type { AppendShardsResponse, AppendShardsResponse__Output } from './gen/shoal/v1/AppendShardsResponse';
export type { ErrorCode, ErrorCode__Output } from './gen/shoal/v1/ErrorCode';
export type { ReadRequest, ReadRequest__Output } from './gen/shoal/v1/ReadRequest';
export type { ReadResponse, ReadResponse__Output } from './gen/shoal/v1/ReadResponse';
export type { RecordOut, RecordOut__Output } from './gen/shoal/v1/RecordOut';
export type { ReplicaStatus, ReplicaStatus__Output } from './gen/shoal/v1/ReplicaStatus';
export type { ReplicateMessage, ReplicateMessage__Output } from './gen/shoal/v1/ReplicateMessage';
export type { ReplicateReply, ReplicateReply__Output } from './gen/shoal/v1/ReplicateReply';
export type { SeekKind, SeekKind__Output } from './gen/shoal/v1/SeekKind';
export type { SeekRequest, SeekRequest__Output } from './gen/shoal/v1/SeekRequest';
export type { SeekResponse, SeekResponse__Output } from './gen/shoal/v1/SeekResponse';
export type { ShardAck, ShardAck__Output } from './gen/shoal/v1/ShardAck';
export type { ShardAppend, ShardAppend__Output } from './gen/shoal/v1/ShardAppend';
export type { ShardRef, ShardRef__Output } from './gen/shoal/v1/ShardRef';
export type { ShardAppendResult, ShardAppendResult__Output } from './gen/shoal/v1/ShardAppendResult';
export type { ShardRecords, ShardRecords__Output } from './gen/shoal/v1/ShardRecords';
export type { StatusRequest, StatusRequest__Output } from './gen/shoal/v1/StatusRequest';
export type { StatusResponse, StatusResponse__Output } from './gen/shoal/v1/StatusResponse';
export type { SubscribeRequest, SubscribeRequest__Output } from './gen/shoal/v1/SubscribeRequest';
export type { SubscribeMessage, SubscribeMessage__Output } from './gen/shoal/v1/SubscribeMessage';
export type { ShardCountersRequest, ShardCountersRequest__Output } from './gen/shoal/v1/ShardCountersRequest';
export type { ShardCounterSet, ShardCounterSet__Output } from './gen/shoal/v1/ShardCounterSet';
export type { ShardCountersResponse, ShardCountersResponse__Output } from './gen/shoal/v1/ShardCountersResponse';

/** proto/ at the repository root (dist/src -> ../../../../proto). */
export const PROTO_DIR = join(__dirname, '..', '..', '..', '..', 'proto');

/** Loader options; keep in step with scripts/gen-proto-types.mjs. */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

let cached: ProtoGrpcType | undefined;

/** The loaded package tree; `loadProto().shoal.v1.StorageNode` is the service. */
export function loadProto(): ProtoGrpcType {
  if (!cached) {
    const definition = protoLoader.loadSync('shoal/v1/storage.proto', LOADER_OPTIONS);
    cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached;
}

/**
 * Channel options shared by every client and server: records up to 10 MiB
 * travel in batches, so allow large messages; keepalives detect dead peers;
 * a channel to a node that went down retries its connection at least every
 * GRPC_RECONNECT_BACKOFF_MAX_MS (gRPC's default backoff grows 1 s, 1.6 s,
 * 2.6 s, 4.1 s ...: a node restarted after 3 s was reached only ~2 s after
 * it was back, chaos leader-kill-loop).
 */
export const GRPC_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;
export const GRPC_RECONNECT_BACKOFF_INITIAL_MS = 250;
export const GRPC_RECONNECT_BACKOFF_MAX_MS = 1_000;
/**
 * HTTP/2 receive windows of our gRPC connections (connection and each
 * stream). Node's default is 64 KiB: a 500 KiB AppendShards or replication
 * message then waits for eight WINDOW_UPDATE round trips between two busy
 * event loops (about 20 ms of a put's latency on an idle cluster). What a
 * slow reader can make a sender buffer is bounded elsewhere (messages in
 * flight per subscription, replication messages in flight per shard).
 */
export const GRPC_CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;
export const GRPC_STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
export const GRPC_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
  // The client's windows (grpc-js sets the connection window to this, and each stream's initial window).
  'grpc-node.flow_control_window': GRPC_STREAM_WINDOW_BYTES,
  'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': GRPC_RECONNECT_BACKOFF_INITIAL_MS,
  'grpc.max_reconnect_backoff_ms': GRPC_RECONNECT_BACKOFF_MAX_MS,
};

/**
 * The server side of GRPC_STREAM_WINDOW_BYTES and GRPC_CONNECTION_WINDOW_BYTES:
 * grpc-js has no server option for them, so each new HTTP/2 session of the
 * bound server gets them (call after bindAsync). The sessions are reached
 * through grpc-js' `http2Servers` (pinned version; a test checks the
 * windows a client sees).
 */
export function widenServerWindows(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!servers) throw new Error('grpc-js has no http2Servers: widenServerWindows needs updating');
  for (const h2 of servers.keys()) {
    h2.on('session', (session: ServerHttp2Session) => {
      session.settings({ initialWindowSize: GRPC_STREAM_WINDOW_BYTES });
      session.setLocalWindowSize(GRPC_CONNECTION_WINDOW_BYTES);
    });
  }
}

export { createLogger } from './logger';
export type { Logger, LogLevel } from './logger';
export { Flags, limitsEnabled } from './flags';
export { startOpsServer } from './ops-server';
export type { HealthReport, OpsServerOptions } from './ops-server';
export { dialAddress, mapAddress, parseDialMap } from './dial';
export { parseClockOffsetMs, wallClockMs } from './wall-clock';
export { HEAP_GROWING_PERCENT, tuneHeapForBufferChurn } from './heap-tuning';
export {
  METRICS, METRIC_TABLE, RUNTIME_METRIC_PREFIXES, OTHER_STREAMS_LABEL, STREAM_LABELS, SHARD_LABELS, CONSUMER_LABELS,
  LATENCY_BUCKETS_SECONDS, AGE_BUCKETS_SECONDS, STORAGE_BUCKETS_SECONDS,
} from './metric-table';
export type { MetricDef, MetricId, MetricType, MetricComponent, ShardLevelMetric } from './metric-table';
export { counterOf, gaugeOf, histogramOf, processRegistry, RUNTIME_METRICS_DROPPED } from './metric-registry';
export { timingInterceptor, methodName, outcomeOf } from './call-timing';
export type { CallObserver } from './call-timing';
export { startCpuProfileFromEnv } from './cpu-profile';
export { NodeSha256 } from './sha256';

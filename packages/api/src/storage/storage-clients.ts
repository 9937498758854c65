/**
 * gRPC clients of the storage nodes: one channel per node address (from
 * the node records in the cluster view), reused by every request, each
 * call with a deadline. Channels of nodes that leave the view are closed,
 * and so are those of a node that registered again from a new process (its
 * record's startedMs changed): the old channel may be waiting out its
 * reconnect backoff, a new one dials the restarted node at once.
 */
import * as grpc from '@grpc/grpc-js';
import type { ClusterView, NodeRecord } from '@shoal/metadata';
import {
  GRPC_CHANNEL_OPTIONS, dialAddress, loadProto, type AppendShardsRequest, type AppendShardsResponse__Output, type ReadRequest, type ReadResponse__Output,
  type SeekRequest, type SeekResponse__Output, type StorageNodeClient, type SubscribeMessage__Output, type SubscribeRequest,
} from '@shoal/wire';
import { AppendCoalescer } from './append-coalescer';

/** Deadline of one AppendShards (covers replication to the ISR). */
export const APPEND_DEADLINE_MS = 10_000;
/** Deadline of one Read or Seek. */
export const READ_DEADLINE_MS = 5_000;
/** Most channels kept open; a cluster has far fewer nodes. */
const CHANNELS_MAX = 1024;
/**
 * HTTP/2 receive window of our channels (stream and connection). A Read
 * answer is up to GET_RECORDS_BYTES_MAX (10 MiB); with the default 64 KiB
 * window the node stops every 64 KiB until our event loop acknowledges.
 */
export const STORAGE_RECEIVE_WINDOW_BYTES = 16 * 1024 * 1024;
/** The shared channel options plus the api's larger receive window. */
const CHANNEL_OPTIONS: grpc.ChannelOptions = { ...GRPC_CHANNEL_OPTIONS, 'grpc-node.flow_control_window': STORAGE_RECEIVE_WINDOW_BYTES };

/** What a Subscribe call tells its owner: each message, then once how it ended (an error for a transport failure). */
export interface SubscribeHandlers {
  message(message: SubscribeMessage__Output): void;
  end(err?: Error): void;
}

/** An open Subscribe call; cancel() ends it (no handler runs after). */
export interface StorageSubscription {
  cancel(): void;
}

/** The calls the api makes on a shard leader (an interface so tests can stand in). */
export interface StorageCalls {
  /** One call per node carrying records for every shard of the request it leads. */
  appendShards(nodeId: string, request: AppendShardsRequest): Promise<AppendShardsResponse__Output>;
  read(nodeId: string, request: ReadRequest): Promise<ReadResponse__Output>;
  seek(nodeId: string, request: SeekRequest): Promise<SeekResponse__Output>;
  /** A server-streaming Subscribe (enhanced fan-out), without a deadline: it lasts until cancelled or ended by the node. */
  subscribe(nodeId: string, request: SubscribeRequest, handlers: SubscribeHandlers): StorageSubscription;
}

/** Thrown when a node is not in the view or the call failed at the transport (outcome unknown). */
export class StorageUnavailableError extends Error {
  constructor(message: string, readonly grpcCode?: grpc.status) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

export class StorageClients implements StorageCalls {
  private readonly clients = new Map<string, { address: string; startedMs: number; client: StorageNodeClient }>();

  /** AppendShards go through it: one call in flight per node, the calls made meanwhile going together next. */
  private readonly appends = new AppendCoalescer((nodeId, request, deadlineMs) => this.sendAppend(nodeId, request, deadlineMs));

  constructor(private readonly view: ClusterView) {}

  appendShards(nodeId: string, request: AppendShardsRequest): Promise<AppendShardsResponse__Output> {
    return this.appends.appendShards(nodeId, request, Date.now() + APPEND_DEADLINE_MS);
  }

  private sendAppend(nodeId: string, request: AppendShardsRequest, deadlineMs: number): Promise<AppendShardsResponse__Output> {
    const client = this.clientFor(nodeId);
    return new Promise((resolve, reject) => {
      client.AppendShards(request, { deadline: deadlineMs }, callbackOf(resolve, reject));
    });
  }

  read(nodeId: string, request: ReadRequest): Promise<ReadResponse__Output> {
    const client = this.clientFor(nodeId);
    return new Promise((resolve, reject) => {
      client.Read(request, { deadline: Date.now() + READ_DEADLINE_MS }, callbackOf(resolve, reject));
    });
  }

  seek(nodeId: string, request: SeekRequest): Promise<SeekResponse__Output> {
    const client = this.clientFor(nodeId);
    return new Promise((resolve, reject) => {
      client.Seek(request, { deadline: Date.now() + READ_DEADLINE_MS }, callbackOf(resolve, reject));
    });
  }

  subscribe(nodeId: string, request: SubscribeRequest, handlers: SubscribeHandlers): StorageSubscription {
    const call = this.clientFor(nodeId).Subscribe(request);
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      handlers.end(err);
    };
    // Flowing mode: messages are taken as they arrive (the subscription bounds what it keeps), so one slow
    // subscriber never holds the channel's shared HTTP/2 connection window.
    call.on('data', (m: SubscribeMessage__Output) => { if (!done) handlers.message(m); });
    call.on('error', (err: grpc.ServiceError) => finish(new StorageUnavailableError(err.message, err.code)));
    call.on('end', () => finish());
    return { cancel: () => { if (done) return; done = true; call.cancel(); } };
  }

  /** Closes channels of nodes that are gone or moved. Call on node changes. */
  prune(): void {
    for (const [nodeId, entry] of this.clients) {
      const node = this.view.nodes.get(nodeId);
      if (!channelIsCurrent(entry, node)) {
        entry.client.close();
        this.clients.delete(nodeId);
      }
    }
  }

  close(): void {
    for (const entry of this.clients.values()) entry.client.close();
    this.clients.clear();
  }

  private clientFor(nodeId: string): StorageNodeClient {
    const node = this.view.nodes.get(nodeId);
    if (!node) throw new StorageUnavailableError(`storage node ${nodeId} is not registered`);
    const existing = this.clients.get(nodeId);
    if (existing && channelIsCurrent(existing, node)) return existing.client;
    existing?.client.close();
    if (this.clients.size >= CHANNELS_MAX) this.prune();
    const Service = loadProto().shoal.v1.StorageNode;
    const client = new Service(dialAddress(node.grpcAddress), grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.clients.set(nodeId, { address: node.grpcAddress, startedMs: node.startedMs, client });
    return client;
  }
}

/** Whether a channel opened to `entry` still reaches the process registered as `node` (same address, same process start). */
export function channelIsCurrent(entry: { readonly address: string; readonly startedMs: number }, node: Pick<NodeRecord, 'grpcAddress' | 'startedMs'> | undefined): boolean {
  return !!node && node.grpcAddress === entry.address && node.startedMs === entry.startedMs;
}

function callbackOf<T>(resolve: (value: T) => void, reject: (err: Error) => void): grpc.requestCallback<T> {
  return (err, value) => {
    if (err) reject(new StorageUnavailableError(err.message, err.code));
    else if (value === undefined) reject(new StorageUnavailableError('empty response'));
    else resolve(value);
  };
}

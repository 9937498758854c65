/**
 * Outbound replication: ONE long-lived bidi Replicate stream from this node
 * to each peer node, carrying the ShardAppends of every shard this node
 * leads and the peer follows. Appends queued in the same tick go out as one
 * ReplicateMessage; the peer's acks come back on the same stream and are
 * routed to the shards' drivers. A broken stream tells every driver (its
 * in-flight messages are lost; the machine probes again) and reconnects
 * with bounded exponential backoff.
 */
import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, dialAddress, loadProto, type Logger, type ReplicateMessage, type ReplicateReply__Output, type ShardAppend, type StorageNodeClient } from '@shoal/wire';
import type { ClusterView } from '@shoal/metadata';
import { decodeShardAck } from './replication-codec';
import { withReplicateSerde } from './replicate-serde';
import type { PeerSender, ReplicaDriver } from './replica-driver';
import type { ShardRef } from './shard-log';
import { RECONNECT_BACKOFF_MS_MAX, RECONNECT_BACKOFF_MS_MIN, STREAM_MESSAGE_ITEMS_MAX } from './storage-limits';

export interface LinkHooks {
  readonly lookup: (ref: ShardRef) => ReplicaDriver | undefined;
  readonly allDrivers: () => Iterable<ReplicaDriver>;
}

let clientCtor: grpc.ServiceClientConstructor | undefined;

/** A StorageNode client class whose Replicate requests use replicate-serde.ts. */
function replicationClientCtor(): grpc.ServiceClientConstructor {
  clientCtor ??= grpc.makeGenericClientConstructor(withReplicateSerde(loadProto().shoal.v1.StorageNode.service), 'StorageNode');
  return clientCtor;
}

class PeerLink {
  private readonly client: StorageNodeClient;
  private call: grpc.ClientDuplexStream<ReplicateMessage, ReplicateReply__Output> | undefined;
  private pending: ShardAppend[] = [];
  private flushScheduled = false;
  private backoffMs = RECONNECT_BACKOFF_MS_MIN;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly selfId: string, readonly peerId: string, readonly address: string, private readonly hooks: LinkHooks, private readonly logger: Logger) {
    this.client = new (replicationClientCtor())(dialAddress(address), grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS) as unknown as StorageNodeClient;
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const call = this.client.Replicate();
    this.call = call;
    call.on('data', (reply: ReplicateReply__Output) => {
      this.backoffMs = RECONNECT_BACKOFF_MS_MIN;
      for (const a of reply.acks) {
        if (!a.shard) continue;
        this.hooks.lookup({ streamId: a.shard.stream_id, shardId: a.shard.shard_id })?.ack(this.peerId, decodeShardAck(a));
      }
    });
    call.on('error', (err: Error) => this.down(call, err));
    call.on('end', () => this.down(call, undefined));
  }

  private down(call: grpc.ClientDuplexStream<ReplicateMessage, ReplicateReply__Output>, err: Error | undefined): void {
    if (this.call !== call) return;
    this.call = undefined;
    this.pending = [];
    call.cancel();
    for (const d of this.hooks.allDrivers()) d.peerDisconnected(this.peerId);
    if (this.closed) return;
    this.logger.debug('replication stream down', { peer: this.peerId, err: err?.message, retryMs: this.backoffMs });
    this.timer = setTimeout(() => { this.timer = undefined; this.connect(); }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_BACKOFF_MS_MAX);
  }

  send(append: ShardAppend): boolean {
    if (!this.call) return false;
    this.pending.push(append);
    if (this.pending.length >= STREAM_MESSAGE_ITEMS_MAX) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.call || this.pending.length === 0) return;
    const appends = this.pending;
    this.pending = [];
    this.call.write({ from_node_id: this.selfId, appends });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    this.client.close();
  }
}

/** The node's outbound streams, one per peer, created on first use. */
export class ReplicationLinks implements PeerSender {
  private readonly links = new Map<string, PeerLink>();

  constructor(private readonly selfId: string, private readonly view: ClusterView, private readonly hooks: LinkHooks, private readonly logger: Logger) {}

  send(nodeId: string, append: ShardAppend): boolean {
    const node = this.view.nodes.get(nodeId);
    if (!node) return false;
    let link = this.links.get(nodeId);
    if (link && link.address !== node.grpcAddress) {
      link.close();
      link = undefined;
    }
    if (!link) {
      link = new PeerLink(this.selfId, nodeId, node.grpcAddress, this.hooks, this.logger);
      this.links.set(nodeId, link);
    }
    return link.send(append);
  }

  /** Drops links to nodes no longer in the view (bounded by cluster size). */
  prune(): void {
    for (const [id, link] of this.links) {
      if (!this.view.nodes.has(id)) { link.close(); this.links.delete(id); }
    }
  }

  close(): void {
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }
}

/**
 * Outbound replication: ONE long-lived bidi Replicate stream from this node
 * to each peer node, carrying the ShardAppends of every shard this node
 * leads and the peer follows. The node driver hands over all of a step's
 * appends for a peer at once: they go out as one ReplicateMessage (split
 * only past PEER_MESSAGE_BYTES_MAX); the peer's acks come back on the same
 * stream, one reply per message, and go to the node driver. A broken stream
 * tells the driver (in-flight messages are lost; the machines probe again)
 * and reconnects with bounded exponential backoff; a stream that comes up
 * tells it too, so leaders send what waited for it.
 */
import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, dialAddress, loadProto, type Logger, type ReplicateMessage, type ReplicateReply__Output, type ShardAppend, type StorageNodeClient } from '@shoal/wire';
import type { ClusterView } from '@shoal/metadata';
import { decodeShardAck } from './replication-codec';
import { withReplicateSerde } from './replicate-serde';
import type { NodeDriver, PeerSender } from './node-driver';
import { PEER_MESSAGE_BYTES_MAX, RECONNECT_BACKOFF_MS_MAX, RECONNECT_BACKOFF_MS_MIN } from './storage-limits';

let clientCtor: grpc.ServiceClientConstructor | undefined;

/** A StorageNode client class whose Replicate requests use replicate-serde.ts. */
function replicationClientCtor(): grpc.ServiceClientConstructor {
  clientCtor ??= grpc.makeGenericClientConstructor(withReplicateSerde(loadProto().shoal.v1.StorageNode.service), 'StorageNode');
  return clientCtor;
}

class PeerLink {
  private readonly client: StorageNodeClient;
  private call: grpc.ClientDuplexStream<ReplicateMessage, ReplicateReply__Output> | undefined;
  private backoffMs = RECONNECT_BACKOFF_MS_MIN;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly selfId: string, readonly peerId: string, readonly address: string, private readonly driver: NodeDriver, private readonly logger: Logger) {
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
        this.driver.ack(this.peerId, { streamId: a.shard.stream_id, shardId: a.shard.shard_id }, decodeShardAck(a));
      }
    });
    call.on('error', (err: Error) => this.down(call, err));
    call.on('end', () => this.down(call, undefined));
    // Messages may go out on the new stream: leaders holding sends for this peer may send.
    this.driver.peerConnected();
  }

  private down(call: grpc.ClientDuplexStream<ReplicateMessage, ReplicateReply__Output>, err: Error | undefined): void {
    if (this.call !== call) return;
    this.call = undefined;
    call.cancel();
    this.driver.peerDisconnected(this.peerId);
    if (this.closed) return;
    this.logger.debug('replication stream down', { peer: this.peerId, err: err?.message, retryMs: this.backoffMs });
    this.timer = setTimeout(() => { this.timer = undefined; this.connect(); }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_BACKOFF_MS_MAX);
  }

  reachable(): boolean { return this.call !== undefined; }

  /** Writes the appends as one message, or several of at most PEER_MESSAGE_BYTES_MAX of batches. */
  send(appends: readonly ShardAppend[]): boolean {
    const call = this.call;
    if (!call) return false;
    let part: ShardAppend[] = [];
    let bytes = 0;
    for (const a of appends) {
      const size = (a.batches ?? []).reduce((n, b) => n + b.length, 0);
      if (part.length > 0 && bytes + size > PEER_MESSAGE_BYTES_MAX) {
        call.write({ from_node_id: this.selfId, appends: part });
        part = [];
        bytes = 0;
      }
      part.push(a);
      bytes += size;
    }
    if (part.length > 0) call.write({ from_node_id: this.selfId, appends: part });
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    this.client.close();
    // What was in flight on it is lost.
    if (call) this.driver.peerDisconnected(this.peerId);
  }
}

/** The node's outbound streams, one per peer, created on first use. */
export class ReplicationLinks implements PeerSender {
  private readonly links = new Map<string, PeerLink>();

  constructor(private readonly selfId: string, private readonly view: ClusterView, private readonly driver: NodeDriver, private readonly logger: Logger) {}

  reachable(nodeId: string): boolean {
    return this.link(nodeId)?.reachable() ?? false;
  }

  send(nodeId: string, appends: readonly ShardAppend[]): boolean {
    return this.link(nodeId)?.send(appends) ?? false;
  }

  /** The link to a registered node (opened on first use, reopened if its address changed). */
  private link(nodeId: string): PeerLink | undefined {
    const node = this.view.nodes.get(nodeId);
    if (!node) return undefined;
    let link = this.links.get(nodeId);
    if (link && link.address !== node.grpcAddress) {
      link.close();
      link = undefined;
    }
    if (!link) {
      link = new PeerLink(this.selfId, nodeId, node.grpcAddress, this.driver, this.logger);
      this.links.set(nodeId, link);
    }
    return link;
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

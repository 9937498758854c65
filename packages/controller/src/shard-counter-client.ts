/**
 * The controller's client of the storage nodes' ShardCounters RPC (the
 * typed figures on-demand scaling reads; ingest-monitor.ts): one channel
 * per node process (address and start time), closed when the node leaves
 * or restarts; each call bounded by INGEST_CALL_TIMEOUT_MS.
 */
import * as grpc from '@grpc/grpc-js';
import type { NodeRecord } from '@shoal/metadata';
import { GRPC_CHANNEL_OPTIONS, dialAddress, loadProto, type ShardCountersResponse__Output, type StorageNodeClient } from '@shoal/wire';
import { INGEST_CALL_TIMEOUT_MS } from './controller-limits';
import type { ShardCounterSource, ShardIngestCounts } from './ingest-monitor';

interface Channel {
  readonly address: string;
  readonly startedMs: number;
  readonly client: StorageNodeClient;
}

/** The ingest figures of a ShardCounters answer (shards without a ShardRef are skipped). */
export function ingestCountsOf(response: ShardCountersResponse__Output): ShardIngestCounts[] {
  const out: ShardIngestCounts[] = [];
  for (const s of response.shards) {
    if (!s.shard) continue;
    out.push({
      streamId: s.shard.stream_id, shardId: s.shard.shard_id,
      incomingBytes: s.incoming_bytes, incomingRecords: s.incoming_records, writeThrottledRecords: s.write_throttled_records,
    });
  }
  return out;
}

export class GrpcShardCounters implements ShardCounterSource {
  private readonly channels = new Map<string, Channel>();

  countersOf(node: NodeRecord): Promise<readonly ShardIngestCounts[]> {
    const client = this.clientFor(node);
    return new Promise((resolve, reject) => {
      client.ShardCounters({}, { deadline: new Date(Date.now() + INGEST_CALL_TIMEOUT_MS) }, (err, response) => {
        if (err) reject(err);
        else if (!response) reject(new Error(`ShardCounters of ${node.nodeId}: empty answer`));
        else resolve(ingestCountsOf(response));
      });
    });
  }

  prune(live: ReadonlySet<string>): void {
    for (const [nodeId, channel] of this.channels) {
      if (live.has(nodeId)) continue;
      channel.client.close();
      this.channels.delete(nodeId);
    }
  }

  close(): void { this.prune(new Set()); }

  private clientFor(node: NodeRecord): StorageNodeClient {
    const existing = this.channels.get(node.nodeId);
    if (existing && existing.address === node.grpcAddress && existing.startedMs === node.startedMs) return existing.client;
    existing?.client.close();
    const Service = loadProto().shoal.v1.StorageNode;
    const client = new Service(dialAddress(node.grpcAddress), grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
    this.channels.set(node.nodeId, { address: node.grpcAddress, startedMs: node.startedMs, client });
    return client;
  }
}

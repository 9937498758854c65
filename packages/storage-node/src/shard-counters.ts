/**
 * The ShardCounters RPC (proto StorageNode): the node's per-shard counts
 * at shard leaders (NodeMetrics.shardCounts), read by the active
 * controller's autoscaler (controller ingest-monitor.ts) as typed figures.
 * No I/O: a copy of in-memory counters.
 */
import type { ShardCounterSet, ShardCountersResponse, StorageNodeHandlers } from '@shoal/wire';
import type { ShardCountTable } from './node-metrics';

/** The response for the counts of `table`. */
function shardCountersResponse(nodeId: string, table: ShardCountTable): ShardCountersResponse {
  const shards: ShardCounterSet[] = [];
  for (const c of table.all()) {
    shards.push({
      shard: { stream_id: c.streamId, shard_id: c.shardId },
      incoming_bytes: c.incomingBytes, incoming_records: c.incomingRecords, write_throttled_records: c.writeThrottledRecords,
      outgoing_bytes: c.outgoingBytes, outgoing_records: c.outgoingRecords, read_throttled_requests: c.readThrottledRequests,
    });
  }
  return { node_id: nodeId, shards };
}

/** The handler storage-node.ts adds to the service. */
export function shardCountersHandler(nodeId: string, table: ShardCountTable): StorageNodeHandlers['ShardCounters'] {
  return (_call, callback) => callback(null, shardCountersResponse(nodeId, table));
}

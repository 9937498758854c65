/**
 * Reads one replica's committed records straight from its storage node
 * with unmetered gRPC Read calls (no api, no leader), so the failure tests
 * can check that every replica holds the same log.
 */
import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, loadProto, type ReadResponse__Output, type StorageNodeClient } from '@shoal/wire';

const READ_DEADLINE_MS = 5000;
const READ_CALLS_MAX = 1000;

export interface ReplicaRecord { readonly offset: number; readonly partitionKey: string; readonly data: Buffer }

export interface ReplicaLog { readonly highWatermark: number; readonly records: ReplicaRecord[] }

function readOnce(client: StorageNodeClient, streamId: string, shardId: string, from: number): Promise<ReadResponse__Output> {
  return new Promise((resolve, reject) => {
    client.Read({ shard: { stream_id: streamId, shard_id: shardId }, from_offset: from, metered: false }, { deadline: new Date(Date.now() + READ_DEADLINE_MS) },
      (err, res) => { if (err || !res) reject(err ?? new Error('empty Read response')); else resolve(res); });
  });
}

/** Every committed record of the replica on `address`, from its log start. */
export async function readReplica(address: string, streamId: string, shardId: string): Promise<ReplicaLog> {
  const Client = loadProto().shoal.v1.StorageNode;
  const client = new Client(address, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  try {
    const records: ReplicaRecord[] = [];
    let from = 0;
    let highWatermark = 0;
    for (let calls = 0; calls < READ_CALLS_MAX; calls++) {
      const res = await readOnce(client, streamId, shardId, from);
      if (res.error !== 'OK') throw new Error(`Read ${shardId} on ${address}: ${res.error} ${res.error_message}`);
      highWatermark = Number(res.high_watermark);
      for (const r of res.records) records.push({ offset: Number(r.offset), partitionKey: r.partition_key, data: Buffer.from(r.data) });
      if (res.records.length === 0) break;
      from = Number(res.records[res.records.length - 1]!.offset) + 1;
      if (from >= highWatermark) break;
    }
    return { highWatermark, records };
  } finally {
    client.close();
  }
}

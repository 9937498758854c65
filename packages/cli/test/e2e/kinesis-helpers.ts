/** Helpers over the JS SDK v3 for the end-to-end tests: waiting for streams, reading shards whole. */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type Shard,
} from '@aws-sdk/client-kinesis';

const ACTIVE_WAIT_MS = 30_000;
const READ_CALLS_MAX = 200;
const POLL_MS = 100;

export async function waitActive(client: KinesisClient, streamName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_WAIT_MS;
  for (;;) {
    const res = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (res.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`${streamName} not ACTIVE after ${ACTIVE_WAIT_MS} ms`);
    await sleep(POLL_MS);
  }
}

export async function listShards(client: KinesisClient, streamName: string): Promise<Shard[]> {
  const res = await client.send(new ListShardsCommand({ StreamName: streamName }));
  return res.Shards ?? [];
}

export interface ReadRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Buffer;
}

/** Every record of a shard from TRIM_HORIZON, reading until `expected` records or an empty page after them. */
export async function readShard(client: KinesisClient, streamName: string, shardId: string, expected: number): Promise<ReadRecord[]> {
  const it = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  let iterator = it.ShardIterator;
  const out: ReadRecord[] = [];
  for (let calls = 0; iterator && calls < READ_CALLS_MAX; calls++) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
    for (const r of page.Records ?? []) {
      out.push({ sequenceNumber: r.SequenceNumber!, partitionKey: r.PartitionKey!, data: Buffer.from(r.Data ?? new Uint8Array()) });
    }
    iterator = page.NextShardIterator;
    if ((page.Records ?? []).length === 0 && out.length >= expected) break;
    if ((page.Records ?? []).length === 0) await sleep(POLL_MS);
  }
  return out;
}

/** The shard of `shards` whose hash key range holds `hashKey`. */
export function shardFor(shards: readonly Shard[], hashKey: bigint): string {
  const shard = shards.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= hashKey && hashKey <= BigInt(s.HashKeyRange!.EndingHashKey!));
  if (!shard) throw new Error(`no shard holds ${hashKey}`);
  return shard.ShardId!;
}

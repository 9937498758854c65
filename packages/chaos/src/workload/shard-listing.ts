/**
 * ListShards for the workload: the sampler logs a snapshot to shards.jsonl
 * every SNAPSHOT_INTERVAL_MS, and the readers use the same listing to find
 * shards and order them by lineage (parents before children).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { SNAPSHOT_INTERVAL_MS } from '../chaos-limits';
import type { SnapshotShard } from '../history/history-format';
import { errorName } from './outcome';
import type { WorkloadContext } from './workload-context';

const LIST_PAGES_MAX = 100;

export async function listShards(client: KinesisClient, streamName: string): Promise<SnapshotShard[]> {
  const out: SnapshotShard[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < LIST_PAGES_MAX; page++) {
    const res = await client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
    for (const s of res.Shards ?? []) {
      const shard: SnapshotShard = {
        shardId: s.ShardId!, hashKeyStart: s.HashKeyRange!.StartingHashKey!, hashKeyEnd: s.HashKeyRange!.EndingHashKey!,
        startingSequenceNumber: s.SequenceNumberRange!.StartingSequenceNumber!,
        ...(s.ParentShardId ? { parentShardId: s.ParentShardId } : {}),
        ...(s.AdjacentParentShardId ? { adjacentParentShardId: s.AdjacentParentShardId } : {}),
        ...(s.SequenceNumberRange?.EndingSequenceNumber ? { endingSequenceNumber: s.SequenceNumberRange.EndingSequenceNumber } : {}),
      };
      out.push(shard);
    }
    nextToken = res.NextToken;
    if (!nextToken) break;
  }
  return out;
}

/** Shard ids with every listed parent before its children (then by id). */
export function lineageOrder(shards: readonly SnapshotShard[]): string[] {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (s: SnapshotShard, depth: number): void => {
    if (done.has(s.shardId) || depth > shards.length) return;
    for (const p of [s.parentShardId, s.adjacentParentShardId]) {
      const parent = p === undefined ? undefined : byId.get(p);
      if (parent) visit(parent, depth + 1);
    }
    if (!done.has(s.shardId)) { done.add(s.shardId); out.push(s.shardId); }
  };
  for (const s of [...shards].sort((a, b) => a.shardId.localeCompare(b.shardId))) visit(s, 0);
  return out;
}

export async function runShardSampler(ctx: WorkloadContext, api: number): Promise<void> {
  while (!ctx.stopped()) {
    const startMs = ctx.now();
    try {
      const shards = await listShards(ctx.clients[api]!, ctx.streamName);
      ctx.history.snapshot({ type: 'shards', api, startMs, endMs: ctx.now(), outcome: 'ok', shards });
    } catch (err) {
      ctx.history.snapshot({ type: 'shards', api, startMs, endMs: ctx.now(), outcome: 'fail', error: errorName(err), shards: [] });
    }
    await sleep(SNAPSHOT_INTERVAL_MS);
  }
}

/**
 * Readers that follow shard lineage, parents first: a live reader (one per
 * api endpoint it is given) starts a session on a shard once every listed
 * parent has been read to its end, and keeps tailing open shards until the
 * workload stops; the final read, after healing, reads every shard in
 * lineage order from the start to its end and logs a final-shard line each.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_READ_DEADLINE_MS, READER_SHARDS_MAX, SNAPSHOT_INTERVAL_MS } from '../chaos-limits';
import type { SnapshotShard } from '../history/history-format';
import { lineageOrder, listShards } from './shard-listing';
import { readSession } from './shard-reader';
import type { WorkloadContext } from './workload-context';

export async function runLiveReader(ctx: WorkloadContext, reader: string, api: number): Promise<void> {
  const started = new Map<string, Promise<void>>();
  const finished = new Set<string>();
  while (!ctx.stopped()) {
    let shards: SnapshotShard[] = [];
    try { shards = await listShards(ctx.clients[api]!, ctx.streamName); } catch { /* the sampler logs listing failures */ }
    const byId = new Map(shards.map((s) => [s.shardId, s]));
    for (const id of lineageOrder(shards)) {
      if (started.has(id) || started.size - finished.size >= READER_SHARDS_MAX) continue;
      const s = byId.get(id)!;
      const parents = [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined && byId.has(p));
      if (!parents.every((p) => finished.has(p))) continue;
      started.set(id, readSession(ctx, { reader, session: `${reader}-${id}`, api, shardId: id, final: false, until: ctx.stopped })
        .then((r) => { if (r.complete) finished.add(id); }));
    }
    await sleep(SNAPSHOT_INTERVAL_MS);
  }
  await Promise.all(started.values());
}

/** Reads every shard whole, parents first; resolves to the ids of shards it could not finish. */
export async function runFinalRead(ctx: WorkloadContext, api: number): Promise<string[]> {
  const deadline = ctx.now() + FINAL_READ_DEADLINE_MS;
  const pastDeadline = (): boolean => ctx.now() > deadline;
  let shards: SnapshotShard[] | undefined;
  while (!shards && !pastDeadline()) {
    try { shards = await listShards(ctx.clients[api]!, ctx.streamName); } catch { await sleep(SNAPSHOT_INTERVAL_MS); }
  }
  const incomplete: string[] = [];
  for (const shardId of lineageOrder(shards ?? [])) {
    const session = `final-${shardId}`;
    const r = await readSession(ctx, { reader: 'final', session, api, shardId, final: true, until: pastDeadline });
    ctx.history.read({ type: 'final-shard', shardId, session, complete: r.complete, records: r.records, atMs: ctx.now() });
    if (!r.complete) incomplete.push(shardId);
  }
  return incomplete;
}

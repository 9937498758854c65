/**
 * Replicas converge after healing (replicas-diverge): from the optional
 * per-replica dump, every replica of a shard holds the same committed log.
 * With record digests the logs are compared record by record; without them
 * (the product cannot dump a follower's log yet) the log ends and high
 * watermarks must all be equal.
 */
import type { ReplicaDump } from '../history/history-format';
import type { ViolationSink } from './violations';

function digestOf(d: ReplicaDump): string | undefined {
  return d.records ? d.records.map((r) => `${r.offset}:${r.md5}`).join(',') : undefined;
}

export function checkReplicas(dumps: readonly ReplicaDump[] | undefined, sink: ViolationSink): void {
  if (!dumps) return;
  const byShard = new Map<string, ReplicaDump[]>();
  for (const d of dumps) {
    const list = byShard.get(d.shardId);
    if (list) list.push(d); else byShard.set(d.shardId, [d]);
  }
  for (const [shardId, replicas] of byShard) {
    const withRecords = replicas.filter((r) => r.records !== undefined);
    const digests = new Set(withRecords.map(digestOf));
    if (digests.size > 1) {
      sink.add('replicas-diverge', `${shardId}: replicas ${withRecords.map((r) => r.nodeId).join(', ')} hold different records`, withRecords);
      continue;
    }
    const ends = new Set(replicas.map((r) => `${r.logEndOffset ?? '?'}/${r.highWatermark ?? '?'}`));
    const lagging = replicas.filter((r) => r.highWatermark !== undefined && r.logEndOffset !== undefined && r.highWatermark !== r.logEndOffset);
    if (ends.size > 1 || lagging.length > 0) {
      const what = replicas.map((r) => `${r.nodeId} end=${r.logEndOffset ?? '?'} hw=${r.highWatermark ?? '?'}`).join(', ');
      sink.add('replicas-diverge', `${shardId}: replicas did not converge: ${what}`, replicas);
    }
  }
}

/**
 * Expired shards go (docs/resharding.md "Expired shards"): a shard closed
 * by a split or merge keeps its records for the stream's retention period;
 * once it closed before the retention horizon none is left, Kinesis lists
 * it no more, and the controller deletes its record. The storage nodes then
 * remove its replicas and data, as for a deleted stream. Children keep
 * naming it as their parent, as Kinesis' do.
 */
import { isExpiredShard, retentionHorizonMs, type ClusterView, type Keys, type StreamRecord, type Versioned } from '@shoal/metadata';
import { SHARDS_PER_COMMIT_MAX } from './controller-limits';
import type { CommitPlan } from './plans';

/**
 * The commit that deletes the stream's expired shards (at most
 * SHARDS_PER_COMMIT_MAX), guarded by the stream's and each shard's
 * revision; undefined when none has expired or the stream is not ACTIVE
 * (a reshard round, a deletion or a creation in progress waits).
 */
export function planShardExpiry(view: ClusterView, keys: Keys, stream: Versioned<StreamRecord>, nowMs: number): CommitPlan | undefined {
  const s = stream.value;
  if (s.status !== 'ACTIVE' || s.reshard) return undefined;
  const horizonMs = retentionHorizonMs(s, nowMs);
  const expired = view.shardsOf(s.streamId).filter((sh) => isExpiredShard(sh.value, horizonMs)).slice(0, SHARDS_PER_COMMIT_MAX);
  if (expired.length === 0) return undefined;
  return {
    reason: `${s.streamName}: delete ${expired.length} expired shard${expired.length === 1 ? '' : 's'} (${expired.map((sh) => sh.value.shardId).join(', ')})`,
    compare: [
      { key: keys.stream(s), modRevision: stream.modRevision },
      ...expired.map((sh) => ({ key: keys.shard(s.streamId, sh.value.shardId), modRevision: sh.modRevision })),
    ],
    puts: [],
    deletes: expired.map((sh) => keys.shard(s.streamId, sh.value.shardId)),
  };
}

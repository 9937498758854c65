/**
 * Cluster figures the controller exports (main.ts turns them into
 * shoal_under_replicated_shards and shoal_leader_changes_total), computed
 * from the watch-backed view every controller keeps. Pure: the view and the
 * watch's changes in, numbers out.
 */
import { type ClusterView, isOpenShard, type MetadataChange } from '@shoal/metadata';

/** Open shards whose in-sync replica set is smaller than their replica set. */
export function underReplicatedShards(view: ClusterView): number {
  let n = 0;
  for (const shards of view.shards.values()) {
    for (const { value: s } of shards.values()) {
      if (isOpenShard(s) && s.isr.length < s.replicas.length) n++;
    }
  }
  return n;
}

/**
 * Counts leader epochs started, from the shard changes of the watch: a
 * shard record whose epoch went up started that many epochs (a shard's
 * first record starts none: its first leader is not a change). Holds one
 * number per shard in the view.
 */
export class LeaderEpochTracker {
  private readonly epochs = new Map<string, number>();

  /** Starts from the epochs of `view` (the snapshot the watch continues from). */
  constructor(view: ClusterView) {
    for (const shards of view.shards.values()) for (const { value: s } of shards.values()) this.epochs.set(`${s.streamId}/${s.shardId}`, s.epoch);
  }

  /** The epochs `change` started (0 for anything but a shard whose epoch rose). */
  observe(change: MetadataChange): number {
    if (change.kind !== 'shard') return 0;
    const key = `${change.streamId}/${change.shardId}`;
    if (!change.value) { this.epochs.delete(key); return 0; }
    const epoch = change.value.value.epoch;
    const before = this.epochs.get(key);
    this.epochs.set(key, epoch);
    return before !== undefined && epoch > before ? epoch - before : 0;
  }
}

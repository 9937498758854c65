/**
 * A leader reopened after its process restarted may not lead the epoch it
 * led before (ReplicaMachine leadOnlyAbove): it asks for the next one by
 * writing epoch + 1, itself still leader, to its shard record, guarded by
 * the mod revision it read (like an ISR change, isr-writer.ts), so the
 * write applies only if nobody (the controller's failover, a handover)
 * changed the record since. The new epoch reaches the replica through the
 * metadata watch; followers then truncate any suffix of the old epoch that
 * the leader no longer holds, as after any election.
 */
import type { MetadataStore, ShardRecord } from '@shoal/metadata';
import type { ShardRef } from './shard-log';

export interface EpochBumper {
  /** Writes epoch `fromEpoch` + 1 with `leaderId` still leader; false if the record moved on. */
  bump(shard: ShardRef, fromEpoch: number, baseVersion: number, leaderId: string): Promise<boolean>;
}

export class EtcdEpochBumper implements EpochBumper {
  constructor(private readonly store: MetadataStore) {}

  async bump(shard: ShardRef, fromEpoch: number, baseVersion: number, leaderId: string): Promise<boolean> {
    const current = this.store.view.shard(shard.streamId, shard.shardId);
    if (!current) return false;
    const r = current.value;
    if (r.epoch !== fromEpoch || r.leader !== leaderId || current.modRevision !== String(baseVersion)) return false;
    const key = this.store.keys.shard(shard.streamId, shard.shardId);
    const value: ShardRecord = { ...r, epoch: r.epoch + 1 };
    return this.store.commit({ compare: [{ key, modRevision: String(baseVersion) }], puts: [{ key, value }] });
  }
}

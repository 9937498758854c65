/**
 * The one way a shard's leader changes its own shard record (ISR change,
 * seal, epoch bump; storage-node record-proposer.ts): a transaction on the
 * record guarded by its mod revision, applied only if the record still
 * names `leader` at `epoch` (and, when given, is still at `revision`, the
 * version the proposal was based on). `change` returns the new record, or
 * undefined to give up (the record no longer allows it).
 */
import type { MetadataStore } from './metadata-store';
import type { ShardRecord } from './schema';

export interface ShardGuard {
  readonly epoch: number;
  readonly leader: string;
  /** The record's mod revision the proposal was based on (absent: whatever the view holds now). */
  readonly revision?: string;
}

/** True if the change was committed; false if the record moved on, is gone, or `change` gave up. */
export async function updateShardGuarded(
  store: Pick<MetadataStore, 'view' | 'keys' | 'commit'>, streamId: string, shardId: string, guard: ShardGuard,
  change: (record: ShardRecord) => ShardRecord | undefined,
): Promise<boolean> {
  const current = store.view.shard(streamId, shardId);
  if (!current) return false;
  const r = current.value;
  if (r.epoch !== guard.epoch || r.leader !== guard.leader) return false;
  if (guard.revision !== undefined && current.modRevision !== guard.revision) return false;
  const value = change(r);
  if (!value) return false;
  const key = store.keys.shard(streamId, shardId);
  return store.commit({ compare: [{ key, modRevision: current.modRevision }], puts: [{ key, value }] });
}

/**
 * Writes a closing shard's final log end (docs/resharding.md): once the
 * controller set `closing` on the shard record, its leader stops appending,
 * waits until everything it appended is committed, and records the log end
 * as `sealedLogEnd` with one transaction guarded by the record's mod
 * revision. The record must still name this node as leader at the epoch
 * the replica runs, still be closing and not yet sealed, so a deposed or
 * rolled-back leader cannot seal. Nothing at or past the sealed end is
 * ever acknowledged: the leader admits nothing once it saw `closing`.
 */
import type { MetadataStore, ShardRecord } from '@shoal/metadata';
import type { SealWriter } from './replica-driver';
import type { ShardRef } from './shard-log';

export class EtcdSealWriter implements SealWriter {
  constructor(private readonly store: MetadataStore) {}

  async write(shard: ShardRef, logEnd: number, epoch: number, leaderId: string): Promise<boolean> {
    const current = this.store.view.shard(shard.streamId, shard.shardId);
    if (!current) return false;
    const r = current.value;
    if (r.closing !== true || r.sealedLogEnd !== undefined || r.epoch !== epoch || r.leader !== leaderId) return false;
    const key = this.store.keys.shard(shard.streamId, shard.shardId);
    const value: ShardRecord = { ...r, sealedLogEnd: logEnd };
    return this.store.commit({ compare: [{ key, modRevision: current.modRevision }], puts: [{ key, value }] });
  }
}

/** A leader whose seal did not land (lost race, etcd error) tries again after this long. */
export const SEAL_RETRY_MS = 500;

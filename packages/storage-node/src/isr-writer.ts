/**
 * Writes a shard leader's ISR change to etcd (Kafka's AlterPartition, done
 * by the leader itself): one transaction on the shard record, guarded by
 * the mod revision the proposal was based on, so it applies only if nobody
 * (the controller's failover, another proposal) changed the record since;
 * the epoch and leader are checked against the view first, and a leader
 * whose epoch changed gives up. The outcome reaches the leader through the
 * metadata watch, like every other change.
 */
import type { IsrProposal } from '@shoal/core';
import type { MetadataStore, ShardRecord } from '@shoal/metadata';
import type { IsrWriter } from './replica-driver';
import type { ShardRef } from './shard-log';

export class EtcdIsrWriter implements IsrWriter {
  constructor(private readonly store: MetadataStore) {}

  async write(shard: ShardRef, proposal: IsrProposal, leaderId: string): Promise<boolean> {
    const current = this.store.view.shard(shard.streamId, shard.shardId);
    if (!current) return false;
    const r = current.value;
    if (r.epoch !== proposal.epoch || r.leader !== leaderId || current.modRevision !== String(proposal.baseVersion)) return false;
    // A follower whose node registration is gone (lease expired) would be removed again by the
    // controller at once; adding it back would make the two fight until it registers again.
    if (proposal.isr.some((id) => !r.isr.includes(id) && !this.store.view.nodes.has(id))) return false;
    const key = this.store.keys.shard(shard.streamId, shard.shardId);
    const value: ShardRecord = { ...r, isr: [...proposal.isr] };
    return this.store.commit({ compare: [{ key, modRevision: String(proposal.baseVersion) }], puts: [{ key, value }] });
  }
}

/**
 * Writes what a shard leader's machine proposes to its shard record, each
 * with the one guarded update of metadata (updateShardGuarded): the record
 * must still name this node leader at the proposal's epoch.
 *
 * - ISR change (Kafka's AlterPartition, done by the leader itself): guarded
 *   by the record revision it was based on; a follower whose node
 *   registration is gone is not added back (the controller would remove it
 *   again at once, and the two would fight until it registers).
 * - Seal (docs/resharding.md): the closing shard's log end, written once,
 *   only while the record is closing and not yet sealed.
 * - Epoch bump (a leader reopened after a restart may not lead the epoch it
 *   knew, ReplicaMachine leadOnlyAbove): epoch + 1 with itself still
 *   leader, guarded by the revision it saw, so followers truncate any suffix
 *   of the old epoch it no longer holds.
 *
 * Outcomes return through the metadata watch, like every other change; a
 * proposal still in flight is not sent again (the machine repeats it at its
 * retry interval until the record shows it).
 */
import type { ReplicaProposals } from '@shoal/core';
import { awaitsSeal, type MetadataStore, updateShardGuarded } from '@shoal/metadata';
import type { Logger } from '@shoal/wire';
import { refKey, type RecordProposer } from './node-driver';
import type { ShardRef } from './shard-reader';

type Kind = 'isr' | 'seal' | 'epochBump';

export class EtcdRecordProposer implements RecordProposer {
  private readonly inFlight = new Set<string>();

  constructor(private readonly store: Pick<MetadataStore, 'view' | 'keys' | 'commit'>, private readonly logger: Logger) {}

  propose(shard: ShardRef, leaderId: string, p: ReplicaProposals): void {
    const { streamId, shardId } = shard;
    if (p.isr) {
      const isr = p.isr;
      this.logger.info('proposing an ISR change', { streamId, shardId, isr: isr.isr, epoch: isr.epoch, baseRevision: isr.baseRevision });
      this.run(shard, 'isr', () => updateShardGuarded(this.store, streamId, shardId, { epoch: isr.epoch, leader: leaderId, revision: String(isr.baseRevision) }, (r) => {
        if (isr.isr.some((id) => !r.isr.includes(id) && !this.store.view.nodes.has(id))) return undefined;
        return { ...r, isr: [...isr.isr] };
      }), 'ISR change');
    }
    if (p.seal) {
      const seal = p.seal;
      this.run(shard, 'seal', () => updateShardGuarded(this.store, streamId, shardId, { epoch: seal.epoch, leader: leaderId }, (r) =>
        (awaitsSeal(r) ? { ...r, sealedLogEnd: seal.logEnd } : undefined)), `seal at ${seal.logEnd}`);
    }
    if (p.epochBump) {
      const bump = p.epochBump;
      this.run(shard, 'epochBump', () => updateShardGuarded(this.store, streamId, shardId, { epoch: bump.epoch, leader: leaderId, revision: String(bump.baseRevision) }, (r) =>
        ({ ...r, epoch: r.epoch + 1 })), `epoch bump from ${bump.epoch}`);
    }
  }

  private run(shard: ShardRef, kind: Kind, write: () => Promise<boolean>, what: string): void {
    const key = `${kind}:${refKey(shard)}`;
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    write().then(
      (ok) => this.logger.info(ok ? `${what}: written` : `${what}: the record moved on; waiting for it`, { ...shard }),
      (err: unknown) => this.logger.warn(`${what} failed; will propose again`, { ...shard, err }),
    ).finally(() => this.inFlight.delete(key));
  }
}

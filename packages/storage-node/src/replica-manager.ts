/**
 * The replicas this node holds, kept in step with the shard records in the
 * metadata view: a record naming this node in `replicas` opens the shard's
 * replica (its log loaded from the store) and hands it to the node driver,
 * and every later version of the record reaches it as its config (leader,
 * epoch, ISR, closing, handover); a record that disappears or no longer
 * names this node takes the replica out of the driver and deletes its data.
 * Changes to one shard are serialised (a chain per shard), so open and
 * close never interleave. Data is deleted in the background, one replica
 * at a time: removing a big stream must not hold up the opening of a new
 * one's replicas (a reopened shard waits for its own deletion only).
 */
import { ReplicaMachine, type ReplicaConfig } from '@shoal/core';
import type { ClusterView, ShardRecord, Versioned } from '@shoal/metadata';
import type { Logger } from '@shoal/wire';
import type { ReplicaGaugeSource } from './node-metrics';
import { refKey, type NodeDriver } from './node-driver';
import { Replica, type ReplicaContext } from './replica';
import type { ShardRef } from './shard-reader';
import type { NodeStore } from './store/node-store';

export interface ReplicaManagerOptions {
  readonly selfId: string;
  readonly store: NodeStore;
  readonly view: ClusterView;
  readonly driver: NodeDriver;
  readonly context: ReplicaContext;
  readonly monoClock: () => number;
  readonly logger: Logger;
  readonly onFatal: (err: unknown) => void;
}

function configOf(v: Versioned<ShardRecord>): ReplicaConfig {
  const r = v.value;
  return {
    epoch: r.epoch, leader: r.leader, replicas: r.replicas, isr: r.isr, revision: Number(v.modRevision),
    ...(r.closing === true ? { closing: true } : {}),
    ...(r.sealedLogEnd !== undefined ? { sealedLogEnd: r.sealedLogEnd } : {}),
    ...(r.handoverTo !== undefined ? { handoverTo: r.handoverTo } : {}),
  };
}

export class ReplicaManager {
  private readonly chains = new Map<string, Promise<void>>();
  /** Data deletions: one at a time (the tail of the queue), and each by shard key until done. */
  private deletions: Promise<void> = Promise.resolve();
  private readonly deleting = new Map<string, Promise<void>>();
  private fenced = false;
  private closed = false;
  private reopening = false;

  constructor(private readonly o: ReplicaManagerOptions) {}

  get(ref: ShardRef): Replica | undefined { return this.o.driver.get(ref); }
  all(): Iterable<Replica> { return this.o.driver.all(); }

  gaugeSources(): ReplicaGaugeSource[] {
    return [...this.o.driver.all()].map((r) => ({ streamName: r.labels.stream_name, shardId: r.labels.shard_id, ...r.status() }));
  }

  /** Deletes the data of shards this node holds but the view no longer assigns to it. */
  async collectGarbage(): Promise<void> {
    for (const ref of await this.o.store.listShards()) {
      if (this.assigned(ref)) continue;
      this.o.logger.info('deleting data of a replica no longer assigned here', { ...ref });
      await this.o.store.shard(ref).destroy();
    }
  }

  /**
   * The first reconcile, when the node process starts: every replica opened
   * by it was (or may have been) open before the restart, so it may not lead
   * the epochs it knew then (ReplicaMachine leadOnlyAbove).
   */
  async startup(): Promise<void> {
    this.reopening = true;
    try {
      await this.syncAll();
    } finally {
      this.reopening = false;
    }
  }

  /** Reconciles every shard in the view and every open replica. */
  async syncAll(): Promise<void> {
    const keys: ShardRef[] = [...this.o.driver.all()].map((r) => r.shard);
    for (const [streamId, shards] of this.o.view.shards) for (const shardId of shards.keys()) keys.push({ streamId, shardId });
    await Promise.all(keys.map((ref) => this.reconcile(ref)));
  }

  /** Brings one shard's replica in line with its record (serialised per shard). */
  reconcile(ref: ShardRef): Promise<void> {
    const key = refKey(ref);
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.reconcileNow(ref)).catch((err: unknown) => {
      this.o.logger.error('replica reconcile failed', { ...ref, err });
      this.o.onFatal(err);
    });
    this.chains.set(key, next);
    void next.then(() => { if (this.chains.get(key) === next) this.chains.delete(key); });
    return next;
  }

  /** Resolves once every reconcile started so far has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  /** Lease lost (true) or regained (false): leaders stop / resume acknowledging. */
  setFenced(fenced: boolean): void {
    this.fenced = fenced;
    this.o.driver.setFenced(fenced);
  }

  /**
   * Stops every replica. Each stores its high watermark first: it is stored
   * with each batch, so it lags what the replicas acknowledged since, and a
   * restarted replica can then serve every committed record at once (a
   * reopened leader waits for its next epoch before it learns the hw again).
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.chains.values()]);
    await this.deletions;
    const replicas = [...this.o.driver.all()];
    for (const r of replicas) await this.o.driver.remove(r);
    await this.o.driver.close();
    await this.o.store.write(replicas.map((r) => ({ log: r.log, batches: [], state: r.persistedState() })))
      .catch((err: unknown) => this.o.logger.warn('saving replica state at close failed', { err }));
  }

  private assigned(ref: ShardRef): Versioned<ShardRecord> | undefined {
    const record = this.o.view.shard(ref.streamId, ref.shardId);
    return record && record.value.replicas.includes(this.o.selfId) ? record : undefined;
  }

  private async reconcileNow(ref: ShardRef): Promise<void> {
    if (this.closed) return;
    const record = this.assigned(ref);
    const replica = this.o.driver.get(ref);
    if (record && replica) {
      if (replica.enqueue({ kind: 'config', config: configOf(record) })) this.o.driver.touch(replica);
      return;
    }
    if (record) {
      const opened = await this.open(ref, record);
      // The record may have changed while the log was loading.
      const latest = this.assigned(ref);
      if (latest && latest !== record) opened.enqueue({ kind: 'config', config: configOf(latest) });
      if (this.fenced) opened.enqueue({ kind: 'fenced', fenced: true });
      this.o.driver.add(opened);
      this.o.logger.info('replica opened', { ...ref, role: opened.machine.role(), epoch: opened.machine.epoch(), logEnd: opened.machine.logEndOffset() });
      return;
    }
    if (replica) {
      await this.o.driver.remove(replica);
      this.o.context.metrics.removeShard(replica.labels);
      this.o.logger.info('replica removed; its data is deleted in the background', { ...ref });
      this.deleteData(ref, replica);
    }
  }

  private deleteData(ref: ShardRef, replica: Replica): void {
    const key = refKey(ref);
    const done = this.deletions.then(() => replica.log.destroy()).catch((err: unknown) => {
      this.o.logger.error('deleting the data of a removed replica failed', { ...ref, err });
      this.o.onFatal(err);
    });
    this.deletions = done;
    this.deleting.set(key, done);
    void done.then(() => { if (this.deleting.get(key) === done) this.deleting.delete(key); });
  }

  private async open(ref: ShardRef, record: Versioned<ShardRecord>): Promise<Replica> {
    // A replica of the shard removed a moment ago: its data goes first.
    await this.deleting.get(refKey(ref));
    const log = this.o.store.shard(ref);
    const { state, lastArrivalMs } = await log.load();
    const config = configOf(record);
    const machine = new ReplicaMachine(this.o.selfId, state, {
      leadOnlyAbove: this.reopening ? Math.max(state.epoch, config.epoch) : 0, truncateBelowHw: this.o.context.truncateBelowHw,
    });
    machine.applyConfig(config, this.o.monoClock());
    await this.o.store.write([{ log, batches: [], state: machine.persisted() }]);
    const logger = this.o.logger.child({ streamId: ref.streamId, shardId: ref.shardId });
    return new Replica(ref, record.value.streamName, log, machine, lastArrivalMs, this.o.context, logger);
  }
}

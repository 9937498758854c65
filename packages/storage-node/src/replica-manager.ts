/**
 * The replicas this node holds, kept in step with the shard records in the
 * metadata view: a record naming this node in `replicas` opens (or
 * reconfigures) the shard's driver, as leader if `leader` is this node and
 * as follower otherwise; a record that disappears or no longer names this
 * node closes the driver and deletes the shard's data; `handoverTo` on a
 * record this node leads stops its appends (replica-driver.ts). Changes to one shard
 * are serialised (a chain per shard), so open/close never interleave.
 */
import type { ReplicaConfig } from '@shoal/core';
import type { ClusterView, ShardRecord, Versioned } from '@shoal/metadata';
import type { ReplicaGaugeSource } from './node-metrics';
import { ReplicaDriver, type PeerSender, type ReplicaRuntime } from './replica-driver';
import { ShardLog, listStoredShards, refKey, type NodeDb, type ShardRef } from './shard-log';

export interface ReplicaManagerOptions extends ReplicaRuntime {
  readonly db: NodeDb;
  readonly view: ClusterView;
  /** fsync every LevelDB write before acknowledging (slower, survives power loss). */
  readonly sync: boolean;
  /** Called after every log write (wal-sync.ts). */
  readonly afterWrite?: () => void;
}

export function configOf(v: Versioned<ShardRecord>): ReplicaConfig {
  const r = v.value;
  return { epoch: r.epoch, leader: r.leader, replicas: r.replicas, isr: r.isr, version: Number(v.modRevision) };
}

export class ReplicaManager {
  private readonly drivers = new Map<string, ReplicaDriver>();
  private readonly chains = new Map<string, Promise<void>>();
  private peers: PeerSender | undefined;
  private fenced = false;
  private closed = false;
  private reopening = false;

  constructor(private readonly options: ReplicaManagerOptions) {}

  setPeers(peers: PeerSender): void { this.peers = peers; }

  get(ref: ShardRef): ReplicaDriver | undefined { return this.drivers.get(refKey(ref)); }
  all(): Iterable<ReplicaDriver> { return this.drivers.values(); }

  gaugeSources(): ReplicaGaugeSource[] {
    return [...this.drivers.values()].map((d) => ({
      streamName: d.labels.stream_name, shardId: d.labels.shard_id, role: d.machine.role(), isrSize: d.machine.isrSize(),
      highWatermark: d.machine.highWatermark(), logEndOffset: d.machine.logEndOffset(), followerLogEnds: d.machine.followerLogEnds(),
    }));
  }

  /** Deletes the data of shards this node holds but the view no longer assigns to it. */
  async collectGarbage(): Promise<void> {
    for (const ref of await listStoredShards(this.options.db)) {
      if (this.assigned(ref)) continue;
      this.options.logger.info('deleting data of a replica no longer assigned here', { ...ref });
      await new ShardLog(this.options.db, ref, this.options.sync).destroy();
    }
  }

  /**
   * The first reconcile, when the node process starts: every replica opened
   * by it was (or may have been) open before the restart, so it may not lead
   * the epochs it knew then (ReplicaDriverOptions.reopened).
   */
  async startup(): Promise<void> {
    this.reopening = true;
    try {
      await this.syncAll();
    } finally {
      this.reopening = false;
    }
  }

  /** Reconciles every shard in the view and every open driver. */
  async syncAll(): Promise<void> {
    const keys: ShardRef[] = [...this.drivers.values()].map((d) => d.shard);
    for (const [streamId, shards] of this.options.view.shards) for (const shardId of shards.keys()) keys.push({ streamId, shardId });
    await Promise.all(keys.map((ref) => this.reconcile(ref)));
  }

  /** Brings one shard's driver in line with its record (serialised per shard). */
  reconcile(ref: ShardRef): Promise<void> {
    const key = refKey(ref);
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.reconcileNow(ref)).catch((err: unknown) => {
      this.options.logger.error('replica reconcile failed', { ...ref, err });
      this.options.onFatal(err);
    });
    this.chains.set(key, next);
    void next.then(() => { if (this.chains.get(key) === next) this.chains.delete(key); });
    return next;
  }

  private assigned(ref: ShardRef): Versioned<ShardRecord> | undefined {
    const record = this.options.view.shard(ref.streamId, ref.shardId);
    return record && record.value.replicas.includes(this.options.selfId) ? record : undefined;
  }

  private async reconcileNow(ref: ShardRef): Promise<void> {
    if (this.closed) return;
    const key = refKey(ref);
    const record = this.assigned(ref);
    const driver = this.drivers.get(key);
    if (record && driver) {
      this.applyRecord(driver, record);
      return;
    }
    if (record) {
      const o = this.options;
      if (!this.peers) throw new Error('replica manager has no peer sender');
      const opened = await ReplicaDriver.open({
        selfId: o.selfId, shard: ref, streamName: record.value.streamName, log: new ShardLog(o.db, ref, o.sync, o.afterWrite), peers: this.peers,
        limitsOn: o.limitsOn, clock: o.clock, monoClock: o.monoClock, leaseUntilMs: o.leaseUntilMs, isrWriter: o.isrWriter, sealWriter: o.sealWriter, logger: o.logger.child({ streamId: ref.streamId, shardId: ref.shardId }), metrics: o.metrics, onFatal: o.onFatal,
        epochBumper: o.epochBumper, reopened: this.reopening, truncateBelowHw: o.truncateBelowHw,
      }, configOf(record));
      if (this.fenced) opened.setFenced(true);
      this.drivers.set(key, opened);
      // The record may have changed while the log was loading.
      const latest = this.assigned(ref);
      if (latest) this.applyRecord(opened, latest);
      o.logger.info('replica opened', { ...ref, role: opened.machine.role(), epoch: opened.machine.epoch(), logEnd: opened.machine.logEndOffset() });
      return;
    }
    if (driver) {
      this.drivers.delete(key);
      await driver.close();
      await driver.log.destroy();
      this.options.metrics.removeShard(driver.labels);
      this.options.logger.info('replica removed and its data deleted', { ...ref });
    }
  }

  private applyRecord(driver: ReplicaDriver, record: Versioned<ShardRecord>): void {
    const r = record.value;
    driver.configure(configOf(record));
    driver.setSeal(r.closing === true, r.sealedLogEnd);
    driver.setHandover(r.handoverTo !== undefined && r.handoverTo !== this.options.selfId && r.leader === this.options.selfId);
  }

  /** Lease lost (true) or regained (false): leaders stop / resume acknowledging. */
  setFenced(fenced: boolean): void {
    this.fenced = fenced;
    for (const d of this.drivers.values()) d.setFenced(fenced);
  }

  tick(): void {
    for (const d of this.drivers.values()) d.tick();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.chains.values()]);
    await Promise.all([...this.drivers.values()].map((d) => d.close()));
    this.drivers.clear();
  }
}

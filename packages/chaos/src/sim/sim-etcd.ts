/**
 * etcd and the controller of the replication simulation: the shard record
 * (one shard, three replicas) with mod revisions, guarded commits (what
 * MetadataStore.commit does), node leases, and the controller's REAL plans
 * (controller package: planShardRepair for failover and ISR shrink,
 * startHandover / planHandover for planned leader moves) applied to it.
 */
import { HANDOVER_DRAIN_MS, planHandover, planShardRepair, startHandover, type PlanOutcome } from '@shoal/controller';
import { Keys, type ShardRecord, type Versioned } from '@shoal/metadata';
import type { SimWorld } from './sim-world';

export const SIM_STREAM_ID = 'sim-stream';
export const SIM_SHARD_ID = 'shardId-000000000000';
/** Node lease TTL in the simulation (ms). */
export const SIM_LEASE_TTL_MS = 2_000;

export interface Change {
  readonly compare: ReadonlyArray<{ key: string; modRevision: string }>;
  readonly puts?: ReadonlyArray<{ key: string; value: unknown }>;
  readonly deletes?: readonly string[];
}

export class SimEtcd {
  readonly keys = new Keys('/sim/');
  private revision = 1;
  record: Versioned<ShardRecord>;
  /** Send time of each node's last lease renewal that reached etcd. */
  readonly renewedMs = new Map<string, number>();
  /** Called after every committed change of the record. */
  onChange: () => void = () => undefined;

  constructor(private readonly world: SimWorld, readonly ids: readonly string[]) {
    const value: ShardRecord = {
      streamId: SIM_STREAM_ID, streamName: 'sim', shardId: SIM_SHARD_ID, shardIndex: 0, hashKeyStart: '0', hashKeyEnd: '1', startingSequenceNumber: '0',
      createdMs: 0, replicas: [...ids], leader: ids[0]!, epoch: 1, isr: [...ids],
    };
    this.record = { value, modRevision: String(this.revision) };
    for (const id of ids) this.renewedMs.set(id, world.nowMs);
  }

  get shardKey(): string { return this.keys.shard(SIM_STREAM_ID, SIM_SHARD_ID); }

  /** A guarded transaction: applied only if every compared key is at its revision. */
  commit(change: Change, who: string): boolean {
    for (const c of change.compare) {
      if (c.key !== this.shardKey || c.modRevision !== this.record.modRevision) {
        this.world.log(`etcd refuses ${who}'s change (${c.modRevision} vs ${this.record.modRevision})`);
        return false;
      }
    }
    const put = change.puts?.find((p) => p.key === this.shardKey);
    if (!put) return false;
    this.revision++;
    this.record = { value: put.value as ShardRecord, modRevision: String(this.revision) };
    const r = this.record.value;
    this.world.log(`etcd r${this.revision} by ${who}: e${r.epoch} leader ${r.leader} isr [${r.isr.join(',')}]${r.handoverTo ? ` handover->${r.handoverTo}` : ''}`);
    this.onChange();
    return true;
  }

  live(): Set<string> {
    return new Set(this.ids.filter((id) => this.world.nowMs - (this.renewedMs.get(id) ?? 0) < SIM_LEASE_TTL_MS));
  }

  /** The controller's pass: failover / ISR shrink, then a handover's second step. */
  controllerPass(): void {
    const live = this.live();
    const load = new Map(this.ids.map((id) => [id, { leaders: 0, replicas: 0 }]));
    this.apply(planShardRepair(this.keys, this.record, live, load), 'controller');
    const liveAz = new Map([...live].map((id) => [id, `az-${id}`]));
    this.apply(planHandover(this.keys, this.record, { liveAz, drained: new Set(), load }, this.world.nowMs, HANDOVER_DRAIN_MS, () => undefined), 'controller');
  }

  /** An operator's move-leader request: the controller starts a handover if `to` is another ISR member and none is running. */
  moveLeader(to: string): void {
    const r = this.record.value;
    if (r.handoverTo !== undefined || to === r.leader || !r.isr.includes(to) || !this.live().has(to)) return;
    this.apply(startHandover(this.keys, this.record, to, 'sim move-leader', this.world.nowMs), 'controller');
  }

  private apply(outcome: PlanOutcome | undefined, who: string): void {
    if (outcome?.kind === 'commit') this.commit(outcome.plan, who);
  }
}

/**
 * The controller process' one job: while it holds the etcd election, make
 * etcd converge on the stream lifecycle and shard leadership rules, by
 * computing plans from the watch-backed view (plans.ts) and committing
 * them. Every commit is also guarded by the controller's own election key,
 * so a controller whose lease expired cannot write even if it has not yet
 * heard that it lost (fencing).
 */
import type { Campaign } from 'etcd3';
import {
  billingCommitmentActive, isHandingOver, type ClusterView, type ConsumerRecord, type MetadataStore, type ShardRecord, type StreamRecord, type Versioned,
} from '@shoal/metadata';
import type { Logger } from '@shoal/wire';
import {
  CAMPAIGN_RETRY_MS, ELECTION_LEASE_TTL_SEC, FAILOVERS_PER_PASS_MAX, FAILOVER_GRACE_MS, KNOWN_NODES_MAX, MOVES_PER_PASS_MAX, RECONCILE_TICK_MS,
  REREPLICATION_GRACE_MS, WAIT_REASONS_MAX, INGEST_POLLS_PER_WINDOW, INGEST_POLL_INTERVAL_MS_MAX, ONDEMAND_COOLDOWN_MS,
  CONSUMER_CREATING_MS, CONSUMER_DELETING_MS, STREAM_CREATING_MS, STREAM_DELETING_MS, STREAM_UPDATING_MS,
  ONDEMAND_WINDOW_MS, RESHARDS_PER_PASS_MAX, RESHARD_TIMEOUT_MS, HANDOVER_DRAIN_MS, REBALANCE_HANDOVERS_MAX, REBALANCE_REPLICA_MOVES_MAX,
  REBALANCE_SETTLE_MS, REBALANCE_SKEW_MIN,
} from './controller-limits';
import { chooseRound } from './autoscale';
import { IngestMonitor, type ShardCounterSource } from './ingest-monitor';
import { GrpcShardCounters } from './shard-counter-client';
import { planReshardProgress, planRoundStart, planSettleUpdate } from './reshard-plans';
import { allShards, planShardRepair, planStreamCreation, planStreamDeletion, type CommitPlan, type PlanOutcome } from './plans';
import { planConsumerChanges } from './consumer-plans';
import { planShardExpiry } from './expiry-plans';
import { loadOf, type LoadTable } from './placement';
import { planMoveLeader, planReplicaMove, type MoveContext } from './replica-moves';
import { planHandover } from './handover';
import { planRebalance } from './rebalance';
import type { ReshardStepHook } from './reshard-step-hook';
import { StatusAges } from './status-ages';

const streamAgeKey = (streamId: string): string => `stream/${streamId}`;
const consumerAgeKey = (streamId: string, consumerName: string): string => `consumer/${streamId}/${consumerName}`;

/** Counters the controller reports; main.ts makes them Prometheus metrics (@shoal/wire METRICS). */
export interface ControllerMetrics {
  commit(result: 'ok' | 'conflict' | 'error'): void;
  setActive(active: boolean): void;
  /** One ShardCounters call to a node answered (or not). */
  shardCounterPoll(ok: boolean): void;
}

export interface ControllerOptions {
  readonly id: string;
  readonly store: MetadataStore;
  readonly log: Logger;
  readonly metrics: ControllerMetrics;
  /** Milliseconds since the epoch (injected for logs and shard createdMs). */
  readonly nowMs: () => number;
  /** Overrides FAILOVER_GRACE_MS (tests). */
  readonly failoverGraceMs?: number;
  /** Overrides REREPLICATION_GRACE_MS (flag --rereplication-grace-sec). */
  readonly rereplicationGraceMs?: number;
  /** Overrides RESHARD_TIMEOUT_MS (flag --reshard-timeout-sec). */
  readonly reshardTimeoutMs?: number;
  /** Overrides ONDEMAND_WINDOW_MS (flag --ondemand-window-sec). */
  readonly ondemandWindowMs?: number;
  /** Overrides ONDEMAND_COOLDOWN_MS (flag --ondemand-cooldown-sec). */
  readonly ondemandCooldownMs?: number;
  /** Where on-demand scaling gets the nodes' per-shard counters (default: their ShardCounters RPC). */
  readonly shardCounters?: ShardCounterSource;
  /** Rebalancing of replicas and leaders (flag --rebalance on|off; default on). */
  readonly rebalance?: boolean;
  /** Overrides REBALANCE_SETTLE_MS (tests). */
  readonly rebalanceSettleMs?: number;
  /** Overrides HANDOVER_DRAIN_MS (tests). */
  readonly handoverDrainMs?: number;
  /** Test-only: called before and after every commit of a reshard round state (reshard-step-hook.ts). */
  readonly reshardStepHook?: ReshardStepHook;
}

export class Controller {
  private campaign: Campaign | undefined;
  private fence: { key: string; modRevision: string } | undefined;
  /** When this process started (the failover grace is for nodes restarting with it, not for a standby taking over). */
  private readonly startedMs: number;
  private running = false;
  private dirty = false;
  private stopped = false;
  private tick: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Last waiting reason logged per stream/shard, to log each once. */
  private readonly waits = new Map<string, string>();
  /** AZ of every node seen registered, so a dead node's AZ is still known. */
  private readonly knownAz = new Map<string, string>();
  /** When (controller ms) each node named by a shard was first seen missing from nodes/. */
  private readonly missingSinceMs = new Map<string, number>();
  /** How long streams and consumers have been in their statuses (minimum CREATING, UPDATING, DELETING times). */
  private readonly ages = new StatusAges();

  private readonly ingest: IngestMonitor;
  private readonly shardCounters: ShardCounterSource;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  /** One timer that runs a pass when the earliest handover in progress is due. */
  private handoverTimer: NodeJS.Timeout | undefined;
  private timerDueMs = 0;
  /** Live node ids as last seen, and since when (rebalancing waits for membership to settle). */
  private nodeSet = '';
  private nodeSetSinceMs = 0;

  constructor(private readonly o: ControllerOptions) {
    this.startedMs = o.nowMs();
    this.shardCounters = o.shardCounters ?? new GrpcShardCounters();
    this.ingest = new IngestMonitor(this.windowMs(), o.log, this.shardCounters, (ok) => o.metrics.shardCounterPoll(ok));
  }

  private windowMs(): number { return this.o.ondemandWindowMs ?? ONDEMAND_WINDOW_MS; }

  /** True while this process holds the election and may write. */
  get active(): boolean { return this.fence !== undefined; }

  start(): void {
    // Subscription claims (SubscribeToShard) come and go often and plan nothing here.
    this.unsubscribe = this.o.store.onChange((change) => { if (change.kind !== 'subscription') this.schedule(); });
    this.tick = setInterval(() => this.schedule(), RECONCILE_TICK_MS);
    const pollMs = Math.min(INGEST_POLL_INTERVAL_MS_MAX, Math.floor(this.windowMs() / INGEST_POLLS_PER_WINDOW));
    this.pollTimer = setInterval(() => this.pollIngest(), Math.max(1, pollMs));
    this.runCampaign();
  }

  /** Stops acting and resigns, so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deactivate('stopping');
    if (this.tick) clearInterval(this.tick);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.shardCounters.prune(new Set());
    if (this.handoverTimer) clearTimeout(this.handoverTimer);
    this.unsubscribe?.();
    await this.campaign?.resign().catch((err: unknown) => this.o.log.warn('resign failed', { err }));
  }

  private runCampaign(): void {
    if (this.stopped) return;
    const campaign = this.o.store.client.election(this.o.store.keys.election(), ELECTION_LEASE_TTL_SEC).campaign(this.o.id);
    this.campaign = campaign;
    this.o.log.info('campaigning for controller leadership');
    campaign.on('elected', () => {
      this.onElected(campaign).catch((err: unknown) => this.onCampaignError(campaign, err));
    });
    campaign.on('error', (err: unknown) => this.onCampaignError(campaign, err));
  }

  private async onElected(campaign: Campaign): Promise<void> {
    const key = await campaign.getCampaignKey();
    const res = await this.o.store.client.get(key).exec();
    const kv = res.kvs[0];
    if (!kv || this.campaign !== campaign || this.stopped) throw new Error('election key vanished after election');
    this.fence = { key, modRevision: kv.mod_revision };
    this.missingSinceMs.clear(); // a new term counts missing time from its own start
    this.ages.clear(); // and the time streams and consumers spent in their statuses
    this.o.metrics.setActive(true);
    this.o.log.info('elected: active controller', { electionKey: key });
    this.schedule();
  }

  private onCampaignError(campaign: Campaign, err: unknown): void {
    if (this.campaign !== campaign) return;
    this.deactivate('campaign failed');
    this.o.log.warn('campaign failed; standing by', { err });
    campaign.resign().catch(() => undefined);
    this.campaign = undefined;
    if (!this.stopped) setTimeout(() => this.runCampaign(), CAMPAIGN_RETRY_MS);
  }

  private deactivate(why: string): void {
    if (this.fence) this.o.log.info('no longer the active controller', { why });
    this.fence = undefined;
    this.ingest.reset();
    this.o.metrics.setActive(false);
  }

  private schedule(): void {
    if (!this.active) return;
    if (this.running) { this.dirty = true; return; }
    this.running = true;
    this.passes()
      .catch((err: unknown) => this.o.log.error('reconcile failed', { err }))
      .finally(() => { this.running = false; });
  }

  private async passes(): Promise<void> {
    do {
      this.dirty = false;
      await this.reconcile();
    } while (this.dirty && this.active);
  }

  /** One pass: deletions, then creations, reshards, expired shards, then (after the grace period) failovers, handovers, leader moves, re-replication and rebalancing. */
  private async reconcile(): Promise<void> {
    const view = this.o.store.view;
    const keys = this.o.store.keys;
    const streams = [...view.streams.values()];
    this.trackStatuses(view);
    for (const stream of streams) {
      if (stream.value.status === 'DELETING' && this.inStatusFor(streamAgeKey(stream.value.streamId), 'DELETING', STREAM_DELETING_MS)) {
        await this.commit(planStreamDeletion(view, keys, stream));
      }
    }
    const consumerDue = (streamId: string, c: ConsumerRecord): boolean =>
      this.inStatusFor(consumerAgeKey(streamId, c.consumerName), c.status, c.status === 'CREATING' ? CONSUMER_CREATING_MS : CONSUMER_DELETING_MS);
    for (const plan of planConsumerChanges(view, keys, consumerDue)) await this.commit(plan);
    for (const stream of streams) {
      if (stream.value.status !== 'CREATING') continue;
      // One creation per pass: the next pass places with the load this one added.
      if (await this.create(stream)) return;
    }
    await this.reshardAll();
    for (const stream of [...view.streams.values()]) {
      const plan = planShardExpiry(view, keys, stream, this.o.nowMs());
      if (plan) await this.commit(plan);
    }
    // Before the failover grace: a shard handing over takes no writes until its handover ends.
    if (!(await this.handoversAll())) return;
    if (this.o.nowMs() - this.startedMs < (this.o.failoverGraceMs ?? FAILOVER_GRACE_MS)) return;
    const ctx = this.moveContext();
    if (!(await this.repairAll(ctx.load, ctx.drained))) return;
    await this.movesAll(ctx);
  }

  /** Notes the status of every stream and consumer of the view (StatusAges). */
  private trackStatuses(view: ClusterView): void {
    const present: Array<readonly [string, string]> = [];
    for (const { value: s } of view.streams.values()) present.push([streamAgeKey(s.streamId), s.status]);
    for (const streamId of view.consumers.streamIds()) {
      for (const { value: c } of view.consumers.of(streamId)) present.push([consumerAgeKey(streamId, c.consumerName), c.status]);
    }
    this.ages.track(present, this.o.nowMs());
  }

  /** Whether the object has been in `status` for `ms`; if not, a pass is due when it will have. */
  private inStatusFor(key: string, status: string, ms: number): boolean {
    const leftMs = this.ages.leftMs(key, status, ms, this.o.nowMs());
    if (leftMs > 0) this.passIn(leftMs);
    return leftMs === 0;
  }

  /** Only the active controller measures ingest (no etcd writes: the nodes' ShardCounters). */
  private pollIngest(): void {
    if (!this.active || this.polling) return;
    this.polling = true;
    this.ingest.poll(this.o.store.view.nodes.values(), this.o.nowMs())
      .catch((err: unknown) => this.o.log.warn('ingest poll failed', { err }))
      .finally(() => { this.polling = false; });
  }

  /**
   * Reshard rounds: the next commit of every round in progress, else the
   * round to start (UpdateShardCount target, warm throughput, on-demand).
   */
  private async reshardAll(): Promise<void> {
    const view = this.o.store.view;
    const keys = this.o.store.keys;
    const now = this.o.nowMs();
    const settings = { windowMs: this.windowMs(), cooldownMs: this.o.ondemandCooldownMs ?? ONDEMAND_COOLDOWN_MS };
    let commits = 0;
    for (const stream of [...view.streams.values()]) {
      if (commits >= RESHARDS_PER_PASS_MAX) { this.dirty = true; return; }
      const s = stream.value;
      if (s.status !== 'ACTIVE' && s.status !== 'UPDATING') continue;
      let outcome: PlanOutcome | undefined;
      if (s.reshard) {
        outcome = planReshardProgress(view, keys, stream, now, this.o.reshardTimeoutMs ?? RESHARD_TIMEOUT_MS);
      } else if (s.status === 'UPDATING' && s.targetShardCount === undefined) {
        // A reshard done, or a settings change (encryption) that only needs the stream to pass through UPDATING.
        if (this.inStatusFor(streamAgeKey(s.streamId), 'UPDATING', STREAM_UPDATING_MS)) outcome = planSettleUpdate(keys, stream);
      } else {
        const open = view.openShardsOf(s.streamId);
        // Warm throughput is in effect only while the account has the On-demand Advantage commitment.
        const warm = billingCommitmentActive(view.accountSettings.get(s.accountId)?.value, now) ? s : { ...s, warmThroughputMiBps: undefined };
        const choice = chooseRound(warm, open, (r) => this.ingest.utilization(r.streamId, r.shardId), this.ingest.judgeableSinceMs(), now, settings);
        outcome = choice ? planRoundStart(keys, stream, choice.cause, choice.steps, now) : undefined;
      }
      if (await this.apply(`reshard ${s.streamName}`, outcome)) commits++;
    }
  }

  /** Failovers and ISR shrinks; false if the pass stopped at the bound (more to do). */
  private async repairAll(load: LoadTable, drained: ReadonlySet<string>): Promise<boolean> {
    const keys = this.o.store.keys;
    const live = new Set(this.o.store.view.nodes.keys());
    let commits = 0;
    for (const shard of this.shardList()) {
      if (commits >= FAILOVERS_PER_PASS_MAX) { this.dirty = true; return false; }
      const outcome = planShardRepair(keys, shard, live, load, drained);
      if (await this.apply(`${shard.value.streamId}/${shard.value.shardId}`, outcome)) commits++;
    }
    return true;
  }

  /** Operator leader moves, drains and re-replication, then rebalancing; bounded per pass. */
  private async movesAll(ctx: MoveContext): Promise<void> {
    const view = this.o.store.view;
    const keys = this.o.store.keys;
    const now = this.o.nowMs();
    let commits = 0;
    for (const [id, request] of view.moveLeaderRequests) {
      if (commits >= MOVES_PER_PASS_MAX) { this.dirty = true; return; }
      const outcome = planMoveLeader(keys, request, view.shard(request.value.streamId, request.value.shardId), ctx, now);
      if (await this.apply(`move-leader ${id}`, outcome)) commits++;
    }
    for (const shard of this.shardList()) {
      if (commits >= MOVES_PER_PASS_MAX) { this.dirty = true; return; }
      const outcome = planReplicaMove(keys, shard, ctx, now);
      if (await this.apply(`${shard.value.streamId}/${shard.value.shardId}`, outcome)) commits++;
    }
    if (commits === 0 && this.rebalanceDue(ctx, now)) {
      const settings = { skewMin: REBALANCE_SKEW_MIN, replicaMovesMax: REBALANCE_REPLICA_MOVES_MAX, handoversMax: REBALANCE_HANDOVERS_MAX };
      for (const outcome of planRebalance(keys, this.shardList(), ctx, settings, now)) await this.apply('rebalance', outcome);
    }
  }

  /** Completes (or aborts) the handovers that are due; false if the pass stopped at the bound. */
  private async handoversAll(): Promise<boolean> {
    const view = this.o.store.view;
    const keys = this.o.store.keys;
    const now = this.o.nowMs();
    const liveAz = new Map([...view.nodes.values()].map((n) => [n.nodeId, n.az]));
    const ctx = { liveAz, drained: new Set(view.drains.keys()), load: loadOf(view.nodes.values(), allShards(view)) };
    let commits = 0;
    for (const shard of this.shardList()) {
      if (!isHandingOver(shard.value)) continue;
      if (commits >= MOVES_PER_PASS_MAX) { this.dirty = true; return false; }
      const outcome = planHandover(keys, shard, ctx, now, this.o.handoverDrainMs ?? HANDOVER_DRAIN_MS, (ms) => this.passIn(ms));
      if (await this.apply(`${shard.value.streamId}/${shard.value.shardId}`, outcome)) commits++;
    }
    return true;
  }

  /** Rebalancing is on and the live nodes have not changed for the settle time. */
  private rebalanceDue(ctx: MoveContext, now: number): boolean {
    if (this.o.rebalance === false) return false;
    const set = [...ctx.liveAz.keys()].sort().join(',');
    if (set !== this.nodeSet) { this.nodeSet = set; this.nodeSetSinceMs = now; }
    const settleMs = this.o.rebalanceSettleMs ?? REBALANCE_SETTLE_MS;
    if (now - this.nodeSetSinceMs >= settleMs) return true;
    this.passIn(settleMs - (now - this.nodeSetSinceMs));
    return false;
  }

  /** Runs a pass in `ms` (one timer, kept for the earliest time asked; the 1 s tick covers the rest). */
  private passIn(ms: number): void {
    if (this.stopped) return;
    const dueMs = this.o.nowMs() + Math.max(1, ms);
    if (this.handoverTimer && this.timerDueMs <= dueMs) return;
    if (this.handoverTimer) clearTimeout(this.handoverTimer);
    this.timerDueMs = dueMs;
    this.handoverTimer = setTimeout(() => { this.handoverTimer = undefined; this.schedule(); }, Math.max(1, ms));
  }

  /** Commits a plan or notes why it waits; true if a commit was attempted. */
  private async apply(subject: string, outcome: PlanOutcome | undefined): Promise<boolean> {
    if (!outcome) return false;
    if (outcome.kind === 'wait') { this.noteWait(subject, outcome.why); return false; }
    await this.commit(outcome.plan);
    return true;
  }

  private shardList(): Versioned<ShardRecord>[] {
    const out: Versioned<ShardRecord>[] = [];
    for (const byShard of this.o.store.view.shards.values()) out.push(...byShard.values());
    return out;
  }

  /**
   * Load, AZs and departing nodes from the view: drained nodes, and nodes
   * named by a shard but missing from nodes/ for longer than the grace.
   */
  private moveContext(): MoveContext {
    const view = this.o.store.view;
    const now = this.o.nowMs();
    const liveAz = new Map<string, string>();
    for (const n of view.nodes.values()) {
      liveAz.set(n.nodeId, n.az);
      if (!this.knownAz.has(n.nodeId) && this.knownAz.size >= KNOWN_NODES_MAX) this.knownAz.clear();
      this.knownAz.set(n.nodeId, n.az);
      this.missingSinceMs.delete(n.nodeId);
    }
    const grace = this.o.rereplicationGraceMs ?? REREPLICATION_GRACE_MS;
    const departing = new Set(view.drains.keys());
    for (const shard of allShards(view)) {
      for (const id of shard.replicas) {
        if (liveAz.has(id)) continue;
        let since = this.missingSinceMs.get(id);
        if (since === undefined) {
          if (this.missingSinceMs.size >= KNOWN_NODES_MAX) this.missingSinceMs.clear();
          this.missingSinceMs.set(id, (since = now));
        }
        if (now - since >= grace) departing.add(id);
      }
    }
    return { liveAz, knownAz: this.knownAz, departing, drained: new Set(view.drains.keys()), load: loadOf(view.nodes.values(), allShards(view)) };
  }

  private async create(stream: Versioned<StreamRecord>): Promise<boolean> {
    const outcome = planStreamCreation(this.o.store.view, this.o.store.keys, stream, this.o.nowMs());
    if (outcome.kind === 'wait') {
      this.noteWait(stream.value.streamId, `stream ${stream.value.streamName} stays CREATING: ${outcome.why}`);
      return false;
    }
    this.waits.delete(stream.value.streamId);
    // The commit that writes the stream record makes it ACTIVE: not before it has been CREATING for STREAM_CREATING_MS.
    const activates = outcome.plan.puts.some((p) => p.key === this.o.store.keys.stream(stream.value));
    if (activates && !this.inStatusFor(streamAgeKey(stream.value.streamId), 'CREATING', STREAM_CREATING_MS)) return false;
    return this.commit(outcome.plan);
  }

  private noteWait(subject: string, why: string): void {
    if (this.waits.get(subject) === why) return;
    if (this.waits.size >= WAIT_REASONS_MAX) this.waits.clear();
    this.waits.set(subject, why);
    this.o.log.warn('waiting', { why });
  }

  /** Commits a plan guarded by the election key; false on a lost race or error. */
  private async commit(plan: CommitPlan): Promise<boolean> {
    const fence = this.fence;
    if (!fence) return false;
    if (plan.roundState) this.o.reshardStepHook?.('before', plan.roundState);
    try {
      const ok = await this.o.store.commit({ compare: [...plan.compare, fence], puts: plan.puts, deletes: plan.deletes });
      this.o.metrics.commit(ok ? 'ok' : 'conflict');
      if (ok) this.o.log.info('committed', { plan: plan.reason });
      else this.o.log.info('commit lost a race; will recompute', { plan: plan.reason });
      if (ok && plan.roundState) this.o.reshardStepHook?.('after', plan.roundState);
      return ok;
    } catch (err) {
      this.o.metrics.commit('error');
      this.o.log.warn('commit failed', { plan: plan.reason, err });
      return false;
    }
  }
}

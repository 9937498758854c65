/**
 * One shard replica on this node: its ReplicaMachine (core), batch cache,
 * read view and limits, the producers waiting on it, and what arrived for
 * it since the node driver last visited. It has no loop or timer of its
 * own: handlers, the metadata watch and the replication links only queue
 * inputs here and mark it touched; the node driver (node-driver.ts) then
 * runs every touched replica's phases in one pass, with one store write
 * for all of them:
 *
 *   applyEvents   acks, config (the shard record), disconnects, fencing, ticks
 *   takeInbound   follower: the leader's appends, checked; truncations as asked
 *   takeAppends   leader: the queued appends as one batch (group commit)
 *   (store write, one for the node, and while it is in flight:)
 *   collectSends  leader: what each follower lacks, from cache or store
 *   trimBefore    retention: drops committed batches past the stream's retention
 *   settle        leader: answers producers whose records are committed
 *   proposals     leader: ISR change, seal, epoch bump for the shard record
 *
 * The shard record's rules (closing, handover, epoch bump) are the
 * machine's inputs and outputs; this class keeps only the queues.
 */
import {
  RecordBatch, type ReplicaMachine, TRUNCATION_ROUNDS_MAX, assembleRecordBatch,
  type AppendAck, type AppendMessage, type AppendRefusal, type RecordBodySlice, type ReplicaConfig, type ReplicaPersistedState, type ReplicaRole, type SendRequest,
} from '@shoal/core';
import type { ErrorCode, Logger, ShardAppendResult } from '@shoal/wire';
import { BatchCache, type CacheBudget } from './batch-cache';
import { admitRequests, groupCommitSize, okResult, type Admission, type AppendRecords } from './leader-appends';
import type { NodeMetrics, ShardLabels } from './node-metrics';
import { ReplicaReadView } from './replica-read-view';
import type { ShardReader, ShardRef } from './shard-reader';
import { ShardLimits } from './shard-limits';
import type { ShardLog } from './store/shard-log';
import {
  APPEND_COMMIT_TIMEOUT_MS, APPEND_QUEUE_BYTES_MAX, APPEND_QUEUE_RECORDS_MAX, EVENT_QUEUE_MAX, GROUP_COMMIT_BYTES_MAX, GROUP_COMMIT_RECORDS_MAX,
  INBOUND_QUEUE_APPENDS_MAX,
} from './storage-limits';
import { UNSAFE_ACK_ON_LEADER_APPEND } from './unsafe-switches';

export type ReplicaEvent =
  | { kind: 'ack'; from: string; ack: AppendAck }
  | { kind: 'config'; config: ReplicaConfig }
  | { kind: 'disconnected'; nodeId: string }
  | { kind: 'fenced'; fenced: boolean }
  | { kind: 'tick' };

interface PendingAppend {
  readonly recs: AppendRecords;
  readonly resolve: (res: ShardAppendResult) => void;
}

interface Waiter {
  readonly endOffset: number;
  readonly deadlineMs: number;
  readonly req: PendingAppend;
  readonly admission: Admission;
}

/** A ShardAppend from the leader; `reply` gets the ack once the batches are persisted. */
export interface InboundAppend {
  readonly msg: AppendMessage;
  readonly batches: readonly RecordBatch[];
  readonly reply: (ack: AppendAck) => void;
}

/** A replica's figures for the Status RPC and the gauges (follower log ends: -1 = unknown; leaders only). */
export interface ReplicaStatusView {
  readonly role: ReplicaRole;
  readonly epoch: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly isrSize: number;
  readonly followerLogEnds: ReadonlyMap<string, number>;
}

/** The store write a driver step gathers (node-driver.ts StepWrite). */
export interface StepSink {
  /** The live list of batches this step appends for `r` (push to it; fetch again after a flush). */
  batchesOf(r: Replica): RecordBatch[];
  /** Writes what was gathered so far. */
  flush(): Promise<void>;
}

/** What the node driver needs from the node: identity, clocks, metrics. */
export interface ReplicaContext {
  readonly selfId: string;
  readonly limitsOn: boolean;
  /** Wall clock (arrival times). */
  readonly clock: () => number;
  readonly metrics: NodeMetrics;
  readonly cacheBudget: CacheBudget;
  /** Follow a leader below our high watermark (whole-cluster power cut without fsync; ReplicaMachine). */
  readonly truncateBelowHw: boolean;
}

const MESSAGES: Record<AppendRefusal, string> = {
  NOT_LEADER: 'not the leader of this shard',
  NOT_ENOUGH_REPLICAS: 'in-sync replicas below the minimum',
  SHARD_CLOSED: 'the shard is closed by a reshard; route to its children',
  HANDING_OVER: 'leadership of this shard is being handed over',
};
const CODES: Record<AppendRefusal, ErrorCode> = { NOT_LEADER: 'NOT_LEADER', NOT_ENOUGH_REPLICAS: 'NOT_ENOUGH_REPLICAS', SHARD_CLOSED: 'SHARD_CLOSED', HANDING_OVER: 'NOT_LEADER' };

/** The error a follower logs when told to follow a leader below its high watermark (allowed only without fsync). */
export const FOLLOWING_BELOW_HW = 'the leader lacks committed records: following it below our high watermark (every replica lost unsynced writes, e.g. a power cut with --fsync off)';

export class Replica {
  readonly cache: BatchCache;
  readonly labels: ShardLabels;
  readonly readView: ReplicaReadView;
  private readonly limits: ShardLimits | undefined;
  private events: ReplicaEvent[] = [];
  private pending: PendingAppend[] = [];
  private waiters: Waiter[] = [];
  private inbound: InboundAppend[] = [];
  private outstandingRecords = 0;
  private outstandingBytes = 0;
  /** Bytes of the queued (pending) appends, and since when (monotonic ms) the oldest of them waits. */
  private pendingBytes = 0;
  private pendingSinceMs = 0;
  /** The persisted state changed without a batch (a newer epoch): write it with the next store write. */
  stateDirty = false;
  /** The node's retention pass asked this replica to trim (node-driver.ts checkRetention). */
  trimDue = false;
  private closed = false;

  constructor(
    readonly shard: ShardRef, readonly streamName: string, readonly log: ShardLog, readonly machine: ReplicaMachine,
    private lastArrivalMs: number, private readonly ctx: ReplicaContext, readonly logger: Logger,
  ) {
    this.labels = { stream_id: shard.streamId, stream_name: streamName, shard_id: shard.shardId };
    this.limits = ctx.limitsOn ? new ShardLimits(ctx.clock()) : undefined;
    this.cache = new BatchCache(ctx.cacheBudget);
    this.readView = new ReplicaReadView({
      shard, streamName, machine, cache: this.cache, log, limiter: this.limits, metrics: ctx.metrics, labels: this.labels,
    });
  }

  /** The read side of this replica (reads, seeks, subscriptions). */
  get reader(): ShardReader { return this.readView; }

  // ---- inputs (queue only; the caller marks the replica touched) -----------

  /** Leader: queue one shard's records; resolves once committed or failed. Refusals answer at once. */
  append(recs: AppendRecords, epoch: number, nowMs: number, leaseUntilMs: number): Promise<ShardAppendResult> {
    if (this.closed) return Promise.resolve(this.failure('NOT_LEADER', 'replica closed'));
    this.machine.setLeaseUntil(leaseUntilMs);
    const refusal = this.machine.appendRefusal(nowMs);
    if (refusal) return Promise.resolve(this.refusal(refusal));
    if (epoch > this.machine.epoch()) return Promise.resolve(this.failure('NOT_LEADER', `caller knows epoch ${epoch}, this replica ${this.machine.epoch()}`));
    if (this.outstandingRecords + recs.count > APPEND_QUEUE_RECORDS_MAX || this.outstandingBytes + recs.bytes > APPEND_QUEUE_BYTES_MAX) {
      return Promise.resolve(this.failure('INTERNAL', 'append queue of the shard leader is full'));
    }
    this.outstandingRecords += recs.count;
    this.outstandingBytes += recs.bytes;
    if (this.pending.length === 0) this.pendingSinceMs = nowMs;
    this.pendingBytes += recs.bytes;
    return new Promise((resolve) => { this.pending.push({ recs, resolve }); });
  }

  /** Follower: queue an append from the leader. False if it must be refused at once (closed, queue full). */
  receive(item: InboundAppend): boolean {
    if (this.closed) { item.reply(this.rejection('SHARD_NOT_FOUND')); return false; }
    if (this.inbound.length >= INBOUND_QUEUE_APPENDS_MAX) { item.reply(this.rejection('INTERNAL')); return false; }
    this.inbound.push(item);
    return true;
  }

  /** Queues a control event; false if dropped (queue full and repeatable, or closed). */
  enqueue(event: ReplicaEvent): boolean {
    if (this.closed) return false;
    if (event.kind === 'tick' && this.events[this.events.length - 1]?.kind === 'tick') return true;
    if (this.events.length >= EVENT_QUEUE_MAX) {
      // Acks and ticks are repeatable: the resend timer recovers dropped ones.
      if (event.kind !== 'config' && event.kind !== 'fenced') return false;
      this.events.shift();
    }
    this.events.push(event);
    return true;
  }

  // ---- phases (called by the node driver, in order) ------------------------

  /** Feeds queued events to the machine; fails producers a deposed leader holds, and expired waiters. */
  applyEvents(nowMs: number, leaseUntilMs: number): void {
    this.machine.setLeaseUntil(leaseUntilMs);
    const events = this.events;
    this.events = [];
    for (const e of events) {
      if (e.kind === 'ack') this.machine.onAck(e.from, e.ack, nowMs);
      else if (e.kind === 'disconnected') this.machine.followerDisconnected(e.nodeId, nowMs);
      else if (e.kind === 'fenced') this.machine.setFenced(e.fenced);
      else if (e.kind === 'tick') this.machine.tick(nowMs);
      else {
        const before = this.machine.epoch();
        this.machine.applyConfig(e.config, nowMs);
        if (this.machine.epoch() !== before) this.stateDirty = true;
      }
    }
    if (this.machine.appendRefusal(nowMs) === 'NOT_LEADER') this.failAll('NOT_LEADER', 'TIMEOUT', 'leadership moved');
    // Only leaders cache (batch-cache.ts); the role changes only here, so a follower's cache goes at once.
    if (this.machine.role() !== 'leader') this.cache.release();
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.deadlineMs <= nowMs) n++;
    for (const w of this.waiters.splice(0, n)) this.answer(w.req, this.failure('TIMEOUT', 'records were not replicated in time; outcome unknown'));
  }

  hasInbound(): boolean { return this.inbound.length > 0; }

  /**
   * Follower: checks the queued appends in order; accepted batches go into
   * the step's store write, acks to `replies` (to send after that write). A
   * truncation first flushes the step's write (what was accepted so far,
   * for the whole node), then truncates the log.
   */
  async takeInbound(sink: StepSink, replies: Array<() => void>): Promise<void> {
    const items = this.inbound;
    this.inbound = [];
    const epochBefore = this.machine.epoch();
    for (const item of items) {
      let ack: AppendAck | undefined;
      for (let round = 0; ack === undefined; round++) {
        if (round >= TRUNCATION_ROUNDS_MAX) throw new Error('truncation did not converge');
        const check = this.machine.checkAppend(item.msg);
        if (check.action === 'reject') ack = check.ack;
        else if (check.action === 'append') {
          ack = this.machine.followerAppended(item.msg);
          // An append without batches only moves the high watermark: nothing to write.
          if (item.batches.length > 0) sink.batchesOf(this).push(...item.batches);
        }
        else {
          await sink.flush();
          if (check.action === 'truncate') await this.truncateTo(check.toOffset);
          else await this.resetTo(check.toOffset, item.msg.prevEpoch);
        }
      }
      const a = ack;
      replies.push(() => item.reply(a));
    }
    // A newer leader's first (empty) message: remember its epoch across restarts.
    if (this.machine.epoch() !== epochBefore) this.stateDirty = true;
  }

  /**
   * After the store write: the batches are on disk (or in the page cache)
   * on this replica. A leader's own batches are in the cache already
   * (takeAppends put them there, to send them during the write); a
   * follower keeps none (batch-cache.ts; applyEvents released it).
   */
  persisted(batches: readonly RecordBatch[]): void {
    const last = batches[batches.length - 1];
    if (!last) return;
    this.lastArrivalMs = Math.max(this.lastArrivalMs, last.header.lastArrivalMs);
    this.machine.stored(last.endOffset);
  }

  hasPending(): boolean { return this.pending.length > 0; }

  /**
   * Leader: whether the queued appends should be committed now rather than
   * wait (up to `lingerMs` since the oldest came) for more of the shard's
   * records: they hold `lingerBytes` already, or waited long enough, or
   * the machine refuses appends (they are answered at once).
   */
  appendsDue(nowMs: number, lingerMs: number, lingerBytes: number): boolean {
    return this.pendingBytes >= lingerBytes || nowMs - this.pendingSinceMs >= lingerMs || this.machine.appendRefusal(nowMs) !== undefined;
  }

  /**
   * Leader: one group commit of the queued appends, up to `bytesLeft` (at
   * least one request): throttles each record, assembles one batch at the
   * log end and tells the machine. Undefined when nothing was appended.
   */
  takeAppends(nowMs: number, bytesLeft: number): RecordBatch | undefined {
    const refusal = this.machine.appendRefusal(nowMs);
    if (refusal) {
      // Queued before the refusal arrived but not admitted: provably not appended (except when
      // NOT_ENOUGH_REPLICAS, which the api does not retry), so the api may route them again.
      const waiting = refusal === 'NOT_LEADER' || refusal === 'NOT_ENOUGH_REPLICAS' ? 'TIMEOUT' : undefined;
      for (const req of this.takePending(this.pending.length)) this.answer(req, this.refusal(refusal));
      if (waiting) for (const w of this.waiters.splice(0)) this.answer(w.req, this.failure(waiting, MESSAGES[refusal]));
      return undefined;
    }
    const taken = this.takePending(groupCommitSize(this.pending, Math.min(GROUP_COMMIT_BYTES_MAX, bytesLeft), GROUP_COMMIT_RECORDS_MAX));
    const firstOffset = this.machine.logEndOffset();
    const slices: RecordBodySlice[] = [];
    const wallMs = this.ctx.clock();
    // Arrival times never decrease within a shard, even if the clock steps back.
    const arrivalMs = Math.max(wallMs, this.lastArrivalMs);
    const limits = this.limits;
    const tryWrite = limits ? (bytes: number): boolean => limits.tryWrite(bytes, wallMs) : undefined;
    const admissions = admitRequests(taken.map((req) => req.recs), firstOffset, arrivalMs, tryWrite, slices, this.ctx.metrics, this.labels);
    const epoch = this.machine.epoch();
    if (slices.length === 0) {
      taken.forEach((req, i) => this.answer(req, okResult(req.recs, admissions[i]!, epoch)));
      return undefined;
    }
    this.lastArrivalMs = arrivalMs;
    const batch = RecordBatch.parse(assembleRecordBatch(epoch, firstOffset, arrivalMs, slices), false);
    if (typeof batch === 'string') throw new Error(`encoded batch does not parse: ${batch}`);
    this.machine.leaderAppended({ epoch: batch.epoch, firstOffset, count: batch.count }, nowMs);
    // Followers get it from the cache while this node's own write of it is in flight (node-driver.ts).
    this.cache.push(batch);
    const deadlineMs = nowMs + APPEND_COMMIT_TIMEOUT_MS;
    taken.forEach((req, i) => this.waiters.push({ endOffset: batch.endOffset, deadlineMs, req, admission: admissions[i]! }));
    return batch;
  }

  /** Leader: the sends the machine wants now, skipping unreachable followers. */
  sendsDue(nowMs: number, reachable: (nodeId: string) => boolean): SendRequest[] {
    return this.machine.sendsDue(nowMs).filter((s) => reachable(s.to));
  }

  /** Leader: answers producers whose records are committed, only while the lease is valid (checked right here). */
  settle(nowMs: number, leaseUntilMs: number): void {
    if (this.waiters.length === 0) return;
    this.machine.setLeaseUntil(leaseUntilMs);
    if (!this.machine.mayAcknowledge(nowMs)) return;
    // TEST-ONLY: the unsafe switch acknowledges up to the leader's own log end (see unsafe-switches.ts).
    const hw = UNSAFE_ACK_ON_LEADER_APPEND ? this.machine.logEndOffset() : this.machine.highWatermark();
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.endOffset <= hw) n++;
    const epoch = this.machine.epoch();
    for (const w of this.waiters.splice(0, n)) this.answer(w.req, okResult(w.req.recs, w.admission, epoch));
  }

  /** Whether the node driver must keep ticking this replica (time alone can change something). */
  needsTick(nowMs: number, reachable: (nodeId: string) => boolean): boolean {
    return this.waiters.length > 0 || this.pending.length > 0 || this.machine.needsTick(nowMs, reachable);
  }

  /** What the Status RPC and the gauges report. */
  status(): ReplicaStatusView {
    const m = this.machine;
    return { role: m.role(), epoch: m.epoch(), logEndOffset: m.logEndOffset(), highWatermark: m.highWatermark(), isrSize: m.isrSize(), followerLogEnds: m.followerLogEnds() };
  }

  /** The state to persist with the next store write. */
  persistedState(): ReplicaPersistedState { return this.machine.persisted(); }

  /** Stops: queued and waiting producers get NOT_LEADER / TIMEOUT, queued appends SHARD_NOT_FOUND. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll('NOT_LEADER', 'TIMEOUT', 'replica closed');
    for (const item of this.inbound) item.reply(this.rejection('SHARD_NOT_FOUND'));
    this.inbound = [];
    this.events = [];
    this.readView.close();
    this.cache.release();
  }

  isClosed(): boolean { return this.closed; }

  // ---- helpers ---------------------------------------------------------------

  /** Removes the divergent suffix from `offset` (at batch granularity) on disk, in the cache and in the machine. */
  private async truncateTo(offset: number): Promise<void> {
    const before = this.machine.logEndOffset();
    const hw = this.machine.highWatermark();
    if (offset < hw) {
      this.logger.error(FOLLOWING_BELOW_HW,
        { hw, to: offset, lostCommitted: hw - offset, epoch: this.machine.epoch() });
    }
    const res = await this.log.truncate(offset, (logEnd) => {
      this.machine.truncated(logEnd);
      return this.machine.persisted();
    });
    this.cache.clear();
    this.lastArrivalMs = res.lastArrivalMs;
    this.logger.warn('truncated a divergent log suffix', { from: before, to: res.logEnd, asked: offset, epoch: this.machine.epoch() });
  }

  /** Empties the log and starts it at `offset`: the leader's retention trimmed everything this replica holds or lacks below it. */
  private async resetTo(offset: number, prevEpoch: number): Promise<void> {
    const before = { logStart: this.machine.logStartOffset(), logEnd: this.machine.logEndOffset() };
    this.machine.reset(offset, prevEpoch);
    await this.log.reset(this.machine.persisted());
    this.cache.clear();
    this.logger.warn('log reset to the leader\'s log start (retention trimmed what it lacked)', { ...before, to: offset });
  }

  /**
   * Retention: removes the committed batches whose records all arrived
   * before `beforeMs` (whole batches, below the high watermark) and moves
   * the log start past them.
   */
  async trimBefore(beforeMs: number): Promise<void> {
    // Nothing committed past the log start (an idle shard): nothing to look up.
    if (this.machine.highWatermark() <= this.machine.logStartOffset()) return;
    const end = await this.log.expiredEnd(beforeMs, this.machine.highWatermark());
    if (end === undefined || end <= this.machine.logStartOffset()) return;
    const logStart = await this.log.trimBefore(end, (start) => {
      this.machine.trimmed(start);
      return this.machine.persisted();
    });
    if (this.cache.startOffset() < logStart) this.cache.clear();
    this.logger.info('retention trimmed the log', { logStart });
  }

  /** Fails queued producers with `queued` and those waiting for commit with `waiting`. */
  private failAll(queued: ErrorCode, waiting: ErrorCode, message: string): void {
    for (const req of this.takePending(this.pending.length)) this.answer(req, this.failure(queued, message));
    for (const w of this.waiters.splice(0)) this.answer(w.req, this.failure(waiting, message));
  }

  /** Takes the first `n` queued appends (any left stay due: they only missed a commit's bounds). */
  private takePending(n: number): PendingAppend[] {
    const taken = this.pending.splice(0, n);
    for (const req of taken) this.pendingBytes -= req.recs.bytes;
    return taken;
  }

  private answer(req: PendingAppend, res: ShardAppendResult): void {
    this.outstandingRecords -= req.recs.count;
    this.outstandingBytes -= req.recs.bytes;
    req.resolve(res);
  }

  private refusal(refusal: AppendRefusal): ShardAppendResult {
    return this.failure(CODES[refusal], MESSAGES[refusal]);
  }

  failure(error: ErrorCode, message: string): ShardAppendResult {
    return { error, error_message: message, epoch: this.machine.epoch(), first_offset: 0, throttled_indexes: [], result_count: 0 };
  }

  rejection(error: AppendAck['error']): AppendAck {
    return { epoch: this.machine.epoch(), error, logEndOffset: this.machine.logEndOffset(), lastEpoch: this.machine.lastEpoch(), highWatermark: this.machine.highWatermark() };
  }
}

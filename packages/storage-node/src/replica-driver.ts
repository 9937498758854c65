/**
 * One shard replica on this node: the driver loop that owns the order of
 * its I/O around the pure ReplicaMachine (core). gRPC handlers and the
 * metadata watch only queue work here (appends, ShardAppends, acks, config,
 * ticks) and wake the loop; one loop iteration then:
 *
 *   1. feeds queued events (acks, config, disconnects, ticks) to the machine,
 *   2. follower: checks queued ShardAppends, persists the accepted batches in
 *      one LevelDB write, then acknowledges them,
 *   3. leader: group commit: gathers every queued Append (up to a bound)
 *      into one record batch, one LevelDB write,
 *   4. sends followers what the machine asks for (pipelined), and hands an
 *      ISR change the leader decided to the IsrWriter (etcd, guarded),
 *   5. answers producers whose records are below the high watermark, only
 *      while the node lease is valid by the monotonic clock.
 *
 * A leader whose shard record names a planned successor (`handoverTo`,
 * controller handover.ts) admits nothing more: new and queued Appends get
 * NOT_LEADER (provably not appended; the api retries on the next leader),
 * while what it already appended keeps committing until the epoch bump.
 *
 * A follower told to truncate (divergent suffix, KIP-101/279) persists what
 * it accepted so far, truncates the log and its state in one LevelDB write,
 * and checks the append again.
 *
 * Appends that arrive while the loop awaits LevelDB wait for the next
 * iteration, so they form the next batch (group commit). Every queue is
 * bounded; a full queue answers at once instead of growing.
 */
import {
  REPLICATION_INFLIGHT_MAX, RecordBatch, ReplicaMachine, TRUNCATION_ROUNDS_MAX, assembleRecordBatch,
  type AppendAck, type AppendMessage, type IsrProposal, type RecordBodySlice, type ReplicaConfig, type ReplicationErrorCode,
} from '@shoal/core';
import type { AppendRequest__Output, AppendResponse, ErrorCode, Logger, ShardAppend } from '@shoal/wire';
import { BatchCache } from './batch-cache';
import type { EpochBumper } from './epoch-bump';
import { SEAL_RETRY_MS } from './seal-writer';
import { EPOCH_BUMP_RETRY_MS } from './storage-limits';
import { admitRecords, appendRecordsOf, okResponse, type Admission, type AppendRecords } from './leader-appends';
import type { NodeMetrics, ShardLabels } from './node-metrics';
import { ReplicaReadView } from './replica-read-view';
import type { ShardReader } from './shard-reader';
import { ShardLimits } from './shard-limits';
import { UNSAFE_ACK_ON_LEADER_APPEND } from './unsafe-switches';
import type { ShardLog, ShardRef } from './shard-log';
import {
  APPEND_COMMIT_TIMEOUT_MS, APPEND_QUEUE_BYTES_MAX, APPEND_QUEUE_RECORDS_MAX, BATCH_CACHE_BYTES_MAX, EVENT_QUEUE_MAX,
  GROUP_COMMIT_BYTES_MAX, GROUP_COMMIT_RECORDS_MAX, INBOUND_QUEUE_APPENDS_MAX, REPLICATION_MESSAGE_BYTES_MAX,
} from './storage-limits';

/** Sends a ShardAppend to a peer node's replication stream; false if the stream is down. */
export interface PeerSender {
  send(nodeId: string, append: ShardAppend): boolean;
}

/** Writes a leader's ISR change to the shard record (compare-and-swap on its version); false if it lost the race. */
export interface IsrWriter {
  write(shard: ShardRef, proposal: IsrProposal, leaderId: string): Promise<boolean>;
}

/** Writes a closing shard's final log end (seal-writer.ts); false if the record changed or is not closing. */
export interface SealWriter {
  write(shard: ShardRef, logEnd: number, epoch: number, leaderId: string): Promise<boolean>;
}

const HANDOVER_MESSAGE = 'leadership of this shard is being handed over';

/** What every replica driver of a node shares: identity, clocks, lease, writers to etcd, logging and metrics. */
export interface ReplicaRuntime {
  readonly selfId: string;
  readonly limitsOn: boolean;
  /** Wall clock (arrival times). */
  readonly clock: () => number;
  /** Monotonic clock (ms) for every protocol decision: timeouts, lease validity. */
  readonly monoClock: () => number;
  /** Monotonic ms until which this node's lease is known valid (0: not registered). */
  readonly leaseUntilMs: () => number;
  readonly isrWriter: IsrWriter;
  /** Seals the log of a shard closed by a reshard (absent: never seals, e.g. unit tests). */
  readonly sealWriter?: SealWriter;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  /** A broken invariant or failed disk write: the process must stop. */
  readonly onFatal: (err: unknown) => void;
  /** Asks for the next epoch of a shard this node may not lead in its current one (epoch-bump.ts; absent: never asks, e.g. unit tests). */
  readonly epochBumper?: EpochBumper;
  /** Follow a leader below our high watermark (committed records lost by a whole-cluster power cut without fsync; ReplicaMachine). */
  readonly truncateBelowHw?: boolean;
}

export interface ReplicaDriverOptions extends ReplicaRuntime {
  readonly shard: ShardRef;
  readonly streamName: string;
  readonly log: ShardLog;
  readonly peers: PeerSender;
  /** Opened when the node process started (not on a new assignment): do not lead the epochs known now (ReplicaMachine leadOnlyAbove). */
  readonly reopened?: boolean;
}

type DriverEvent =
  | { kind: 'ack'; from: string; ack: AppendAck }
  | { kind: 'config'; config: ReplicaConfig }
  | { kind: 'disconnected'; nodeId: string }
  | { kind: 'fenced'; fenced: boolean }
  | { kind: 'tick' };

interface PendingAppend {
  readonly recs: AppendRecords;
  readonly resolve: (res: AppendResponse) => void;
}

interface Waiter {
  readonly endOffset: number;
  readonly deadlineMs: number;
  readonly req: PendingAppend;
  readonly admission: Admission;
}

interface InboundAppend {
  readonly msg: AppendMessage;
  readonly batches: RecordBatch[];
  readonly reply: (ack: AppendAck) => void;
}

export class ReplicaDriver {
  readonly machine: ReplicaMachine;
  readonly cache = new BatchCache(BATCH_CACHE_BYTES_MAX);
  readonly labels: ShardLabels;
  private readonly limits: ShardLimits | undefined;
  private readonly readView: ReplicaReadView;
  private events: DriverEvent[] = [];
  private pending: PendingAppend[] = [];
  private waiters: Waiter[] = [];
  private inbound: InboundAppend[] = [];
  private outstandingRecords = 0;
  private outstandingBytes = 0;
  private lastArrivalMs: number;
  private stateDirty = false;
  private running = false;
  private again = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  /** The shard record says `closing` (reshard): admit nothing more, seal once committed. */
  private closing = false;
  private sealedLogEnd: number | undefined;
  private sealInFlight = false;
  private sealTriedMs = Number.NEGATIVE_INFINITY;
  private bumpInFlight = false;
  private bumpTriedMs = Number.NEGATIVE_INFINITY;
  /** The shard record hands this leader's leadership over: admit nothing more. */
  private handingOver = false;

  private constructor(readonly options: ReplicaDriverOptions, machine: ReplicaMachine, lastArrivalMs: number) {
    this.machine = machine;
    this.lastArrivalMs = lastArrivalMs;
    this.labels = { stream_id: options.shard.streamId, stream_name: options.streamName, shard_id: options.shard.shardId };
    this.limits = options.limitsOn ? new ShardLimits(options.clock()) : undefined;
    this.readView = new ReplicaReadView({
      shard: options.shard, streamName: options.streamName, machine, cache: this.cache, log: options.log, limiter: this.limits,
      metrics: options.metrics, labels: this.labels,
    });
  }

  /** The read side of this replica (reads, seeks, subscriptions). */
  get reader(): ShardReader { return this.readView; }

  /** Loads the replica's log state and applies the shard record. */
  static async open(options: ReplicaDriverOptions, config: ReplicaConfig): Promise<ReplicaDriver> {
    const { state, lastArrivalMs } = await options.log.load();
    const machine = new ReplicaMachine(options.selfId, state, {
      leadOnlyAbove: options.reopened ? Math.max(state.epoch, config.epoch) : 0, truncateBelowHw: options.truncateBelowHw ?? false,
    });
    machine.applyConfig(config, options.monoClock());
    await options.log.saveState(machine.persisted());
    return new ReplicaDriver(options, machine, lastArrivalMs);
  }

  get shard(): ShardRef { return this.options.shard; }
  get log(): ShardLog { return this.options.log; }

  // ---- inputs (from handlers, watch and timers) ---------------------------

  /** Appends an Append request's records at the leader; resolves once committed or failed. */
  append(request: Pick<AppendRequest__Output, 'records' | 'records_body' | 'record_count' | 'epoch'> & { readonly record_overhead_bytes?: number }): Promise<AppendResponse> {
    this.machine.setLeaseUntil(this.options.leaseUntilMs());
    const refusal = this.machine.appendRefusal(this.options.monoClock());
    if (refusal) return Promise.resolve(this.failure(refusal, refusal === 'NOT_LEADER' ? 'not the leader of this shard' : 'in-sync replicas below the minimum'));
    if (this.closing) return Promise.resolve(this.failure('SHARD_CLOSED', 'the shard is closed by a reshard; route to its children'));
    if (this.handingOver) return Promise.resolve(this.failure('NOT_LEADER', HANDOVER_MESSAGE));
    const epoch = request.epoch;
    if (epoch > this.machine.epoch()) return Promise.resolve(this.failure('NOT_LEADER', `caller knows epoch ${epoch}, this replica ${this.machine.epoch()}`));
    const recs = appendRecordsOf(request);
    if (typeof recs === 'string') return Promise.resolve(this.failure('INTERNAL', recs));
    if (this.outstandingRecords + recs.count > APPEND_QUEUE_RECORDS_MAX || this.outstandingBytes + recs.bytes > APPEND_QUEUE_BYTES_MAX) {
      return Promise.resolve(this.failure('INTERNAL', 'append queue of the shard leader is full'));
    }
    this.outstandingRecords += recs.count;
    this.outstandingBytes += recs.bytes;
    return new Promise((resolve) => {
      this.pending.push({ recs, resolve });
      this.wake();
    });
  }

  /** A ShardAppend from the leader's stream; `reply` gets the ack after persistence. */
  receive(msg: AppendMessage, batches: RecordBatch[], reply: (ack: AppendAck) => void): void {
    if (this.closed) { reply(this.rejection('SHARD_NOT_FOUND')); return; }
    if (this.inbound.length >= INBOUND_QUEUE_APPENDS_MAX) { reply(this.rejection('INTERNAL')); return; }
    this.inbound.push({ msg, batches, reply });
    this.wake();
  }

  ack(from: string, ack: AppendAck): void { this.enqueue({ kind: 'ack', from, ack }); }
  configure(config: ReplicaConfig): void { this.enqueue({ kind: 'config', config }); }
  peerDisconnected(nodeId: string): void { this.enqueue({ kind: 'disconnected', nodeId }); }
  setFenced(fenced: boolean): void { this.enqueue({ kind: 'fenced', fenced }); }
  tick(): void {
    if (this.events.length === 0 || this.events[this.events.length - 1]!.kind !== 'tick') this.enqueue({ kind: 'tick' });
  }

  /** Stops the loop; queued and waiting producers get NOT_LEADER / TIMEOUT. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle;
    // The high watermark is stored with each batch, so it lags what the replicas acknowledged since;
    // storing it now lets a restarted replica serve every committed record at once (a reopened
    // leader first waits for its next epoch before it can learn the hw from its followers again).
    await this.options.log.saveState(this.machine.persisted()).catch((err: unknown) => this.options.logger.warn('saving replica state at close failed', { err }));
    this.failAll('NOT_LEADER', 'TIMEOUT', 'replica closed');
    for (const item of this.inbound) item.reply(this.rejection('SHARD_NOT_FOUND'));
    this.inbound = [];
    this.readView.close();
  }

  private enqueue(event: DriverEvent): void {
    if (this.closed) return;
    if (this.events.length >= EVENT_QUEUE_MAX) {
      // Acks and ticks are repeatable: the resend timer recovers dropped ones.
      this.options.logger.warn('replica event queue full, dropping event', { kind: event.kind });
      if (event.kind !== 'config' && event.kind !== 'fenced') return;
      this.events.shift();
    }
    this.events.push(event);
    this.wake();
  }

  // ---- the loop -------------------------------------------------------------

  private wake(): void {
    this.again = true;
    if (this.running || this.closed) return;
    this.running = true;
    this.idle = new Promise<void>((resolve) => setImmediate(() => { this.run().then(resolve, resolve); }));
  }

  private async run(): Promise<void> {
    try {
      while (this.again && !this.closed) {
        this.again = false;
        await this.step();
      }
    } catch (err) {
      this.options.logger.error('replica driver failed', { err });
      this.options.onFatal(err);
    } finally {
      this.running = false;
    }
  }

  private async step(): Promise<void> {
    this.drainEvents();
    if (this.inbound.length > 0) await this.applyInbound();
    if (this.pending.length > 0) await this.appendAsLeader();
    if (this.stateDirty) {
      this.stateDirty = false;
      await this.options.log.saveState(this.machine.persisted());
    }
    await this.pumpSends();
    this.proposeIsr();
    this.requestEpochBump();
    this.settle();
    this.maybeSeal();
    this.readView.changed();
  }

  /** Named leader of an epoch this replica may not lead (reopened after a restart): ask for the next one, every EPOCH_BUMP_RETRY_MS. */
  private requestEpochBump(): void {
    const bumper = this.options.epochBumper;
    const due = this.machine.epochBumpDue();
    const now = this.options.monoClock();
    if (!bumper || !due || this.bumpInFlight || now - this.bumpTriedMs < EPOCH_BUMP_RETRY_MS) return;
    this.bumpTriedMs = now;
    this.bumpInFlight = true;
    bumper.bump(this.options.shard, due.epoch, due.baseVersion, this.options.selfId).then(
      (ok) => this.options.logger.info(ok ? 'reopened leader: asked for the next epoch' : 'epoch bump lost a race; the record moved on', { fromEpoch: due.epoch }),
      (err: unknown) => this.options.logger.warn('epoch bump failed; will retry', { err }),
    ).finally(() => { this.bumpInFlight = false; });
  }

  /** From the shard record: a planned leadership change away from this node is in progress (or ended). */
  setHandover(handingOver: boolean): void {
    if (this.handingOver === handingOver) return;
    this.handingOver = handingOver;
    this.wake();
  }

  /** From the shard record: `closing` set or cleared (rollback), and the sealed end once written. */
  setSeal(closing: boolean, sealedLogEnd: number | undefined): void {
    if (this.closing === closing && this.sealedLogEnd === sealedLogEnd) return;
    this.closing = closing;
    this.sealedLogEnd = sealedLogEnd;
    this.sealTriedMs = Number.NEGATIVE_INFINITY;
    this.wake();
  }

  /**
   * Leader of a closing shard: once nothing is queued or waiting and the
   * high watermark reached the log end, record the log end as sealed (the
   * outcome comes back through the watch; retried every SEAL_RETRY_MS).
   */
  private maybeSeal(): void {
    const writer = this.options.sealWriter;
    if (!writer || !this.closing || this.sealedLogEnd !== undefined || this.sealInFlight) return;
    if (this.machine.role() !== 'leader' || this.pending.length > 0 || this.waiters.length > 0) return;
    const logEnd = this.machine.logEndOffset();
    const now = this.options.monoClock();
    if (this.machine.highWatermark() !== logEnd || now - this.sealTriedMs < SEAL_RETRY_MS) return;
    this.sealTriedMs = now;
    this.sealInFlight = true;
    writer.write(this.shard, logEnd, this.machine.epoch(), this.options.selfId).then(
      (ok) => this.options.logger.info(ok ? 'sealed the closing shard' : 'seal lost a race; will retry', { logEnd }),
      (err: unknown) => this.options.logger.warn('seal failed; will retry', { err }),
    ).finally(() => { this.sealInFlight = false; });
  }

  private drainEvents(): void {
    const now = this.options.monoClock();
    this.machine.setLeaseUntil(this.options.leaseUntilMs());
    const events = this.events;
    this.events = [];
    for (const e of events) {
      if (e.kind === 'ack') this.machine.onAck(e.from, e.ack, now);
      else if (e.kind === 'disconnected') this.machine.followerDisconnected(e.nodeId, now);
      else if (e.kind === 'fenced') this.machine.setFenced(e.fenced);
      else if (e.kind === 'tick') this.machine.tick(now);
      else {
        const before = this.machine.epoch();
        this.machine.applyConfig(e.config, now);
        if (this.machine.epoch() !== before) this.stateDirty = true;
      }
    }
    if (this.machine.appendRefusal(now) === 'NOT_LEADER') this.failAll('NOT_LEADER', 'TIMEOUT', 'leadership moved');
    this.expireWaiters(now);
  }

  /**
   * Follower: persist every acceptable queued ShardAppend in one write, then
   * ack. A truncation first flushes what was accepted before it.
   */
  private async applyInbound(): Promise<void> {
    const items = this.inbound;
    this.inbound = [];
    const epochBefore = this.machine.epoch();
    let accepted: RecordBatch[] = [];
    const replies: Array<() => void> = [];
    for (const item of items) {
      let ack: AppendAck | undefined;
      for (let round = 0; ack === undefined; round++) {
        if (round >= TRUNCATION_ROUNDS_MAX) throw new Error('truncation did not converge');
        const check = this.machine.checkAppend(item.msg);
        if (check.action === 'reject') ack = check.ack;
        else if (check.action === 'append') { ack = this.machine.followerAppended(item.msg); accepted.push(...item.batches); }
        else {
          await this.persistAccepted(accepted);
          accepted = [];
          await this.truncateTo(check.toOffset);
        }
      }
      const a = ack;
      replies.push(() => item.reply(a));
    }
    if (accepted.length > 0) await this.persistAccepted(accepted);
    else if (this.machine.epoch() !== epochBefore) {
      // A newer leader's first (empty) message: remember its epoch across restarts.
      await this.options.log.saveState(this.machine.persisted());
    }
    for (const r of replies) r();
  }

  private async persistAccepted(accepted: RecordBatch[]): Promise<void> {
    if (accepted.length === 0) return;
    await this.options.log.append(accepted, this.machine.persisted());
    for (const b of accepted) this.cache.push(b);
    const last = accepted[accepted.length - 1]!;
    this.lastArrivalMs = Math.max(this.lastArrivalMs, last.header.lastArrivalMs);
  }

  /** Removes the divergent suffix from `offset` (at batch granularity) on disk, in the cache and in the machine. */
  private async truncateTo(offset: number): Promise<void> {
    const before = this.machine.logEndOffset();
    const hw = this.machine.highWatermark();
    if (offset < hw) {
      this.options.logger.error('the leader lacks committed records: following it below our high watermark (every replica lost unsynced writes, e.g. a power cut with --fsync off)',
        { hw, to: offset, lostCommitted: hw - offset, epoch: this.machine.epoch() });
    }
    const res = await this.options.log.truncate(offset, (logEnd) => {
      this.machine.truncated(logEnd);
      return this.machine.persisted();
    });
    this.cache.clear();
    this.lastArrivalMs = res.lastArrivalMs;
    this.options.logger.warn('truncated a divergent log suffix', { from: before, to: res.logEnd, asked: offset, epoch: this.machine.epoch() });
  }

  /** Leader: one group commit of the queued Appends. */
  private async appendAsLeader(): Promise<void> {
    // One time for the decision and for leaderAppended: a lease that ran out while the batch was being
    // assembled (etcd without quorum, chaos etcd-leader-kill) must not fail leaderAppended's check and crash
    // the node. Nothing is acknowledged on this: waiters are answered only while mayAcknowledge holds.
    const nowMs = this.options.monoClock();
    const refusal = this.machine.appendRefusal(nowMs);
    if (refusal) {
      this.failAll(refusal, 'TIMEOUT', 'not able to append');
      return;
    }
    if (this.closing) {
      // Queued before `closing` arrived but not admitted: provably not appended, the api re-routes them.
      for (const req of this.pending.splice(0)) this.answer(req, this.failure('SHARD_CLOSED', 'the shard is closed by a reshard; route to its children'));
      return;
    }
    if (this.handingOver) {
      // Likewise for a handover: not appended, the api retries on the next leader.
      for (const req of this.pending.splice(0)) this.answer(req, this.failure('NOT_LEADER', HANDOVER_MESSAGE));
      return;
    }
    const taken = this.takePending();
    const firstOffset = this.machine.logEndOffset();
    const slices: RecordBodySlice[] = [];
    const admissions = this.admit(taken, firstOffset, slices);
    const arrivalMs = admissions[0]!.arrivalMs;
    if (slices.length === 0) {
      taken.forEach((req, i) => this.answer(req, okResponse(req.recs, admissions[i]!, this.machine.epoch())));
      return;
    }
    this.lastArrivalMs = arrivalMs;
    const bytes = assembleRecordBatch(this.machine.epoch(), firstOffset, arrivalMs, slices);
    const batch = RecordBatch.parse(bytes, false);
    if (typeof batch === 'string') throw new Error(`encoded batch does not parse: ${batch}`);
    this.machine.leaderAppended({ epoch: batch.epoch, firstOffset, count: batch.count }, nowMs);
    await this.options.log.append([batch], this.machine.persisted());
    this.cache.push(batch);
    this.options.metrics.groupCommits.inc();
    const deadlineMs = this.options.monoClock() + APPEND_COMMIT_TIMEOUT_MS;
    taken.forEach((req, i) => this.waiters.push({ endOffset: batch.endOffset, deadlineMs, req, admission: admissions[i]! }));
  }

  private takePending(): PendingAppend[] {
    let records = 0;
    let bytes = 0;
    let n = 0;
    while (n < this.pending.length) {
      const req = this.pending[n]!;
      if (n > 0 && (records + req.recs.count > GROUP_COMMIT_RECORDS_MAX || bytes + req.recs.bytes > GROUP_COMMIT_BYTES_MAX)) break;
      records += req.recs.count;
      bytes += req.recs.bytes;
      n++;
    }
    return this.pending.splice(0, n);
  }

  /**
   * Throttles each record of the taken requests; the admitted ones go into
   * `slices` in order, at consecutive offsets from `firstOffset`, all with
   * one arrival time. Metrics count per request, not per record.
   */
  private admit(taken: readonly PendingAppend[], firstOffset: number, slices: RecordBodySlice[]): Admission[] {
    const now = this.options.clock();
    // Arrival times never decrease within a shard, even if the clock steps back.
    const arrivalMs = Math.max(now, this.lastArrivalMs);
    const limits = this.limits;
    const tryWrite = limits ? (bytes: number): boolean => limits.tryWrite(bytes, now) : undefined;
    const m = this.options.metrics;
    let next = firstOffset;
    return taken.map((req) => {
      const a = admitRecords(req.recs, next, arrivalMs, tryWrite, slices);
      next += a.admitted;
      if (a.admitted > 0) {
        m.incomingBytes.inc(this.labels, a.admittedBytes);
        m.incomingRecords.inc(this.labels, a.admitted);
      }
      if (a.throttled.length > 0) m.writeExceeded.inc(this.labels, a.throttled.length);
      return a;
    });
  }

  /** Leader: sends followers what the machine asks for, reading from cache or disk. */
  private async pumpSends(): Promise<void> {
    const blocked = new Set<string>();
    for (let round = 0; round < REPLICATION_INFLIGHT_MAX; round++) {
      const now = this.options.monoClock();
      const sends = this.machine.sendsDue(now).filter((s) => !blocked.has(s.to));
      if (sends.length === 0) return;
      for (const s of sends) {
        const batches = this.cache.slice(s.fromOffset, s.maxEndOffset, REPLICATION_MESSAGE_BYTES_MAX)
          ?? await this.options.log.batchesFrom(s.fromOffset, s.maxEndOffset, REPLICATION_MESSAGE_BYTES_MAX);
        if (batches.length > 0 && batches[0]!.firstOffset !== s.fromOffset) {
          this.options.logger.error('send does not start at a batch boundary', { to: s.to, from: s.fromOffset });
          blocked.add(s.to);
          continue;
        }
        const end = batches.length > 0 ? batches[batches.length - 1]!.endOffset : s.fromOffset;
        const ok = this.options.peers.send(s.to, {
          shard: { stream_id: this.shard.streamId, shard_id: this.shard.shardId },
          epoch: s.epoch, start_offset: s.fromOffset, prev_epoch: s.prevEpoch, leader_hw: s.leaderHw,
          batches: batches.map((b) => b.bytes),
          ...(s.truncate ? {
            truncate: true, truncate_epoch: s.truncate.epoch, truncate_end_offset: s.truncate.endOffset,
            truncate_if_log_end: s.truncate.ifLogEnd, truncate_if_last_epoch: s.truncate.ifLastEpoch,
          } : {}),
        });
        if (!ok) { blocked.add(s.to); continue; }
        this.machine.sent(s.to, s.fromOffset, end, now);
      }
    }
  }

  /** Hands an ISR change the machine decided to the writer; the outcome comes back through the watch. */
  private proposeIsr(): void {
    const proposal = this.machine.isrChangeDue(this.options.monoClock());
    if (!proposal) return;
    this.options.logger.info('proposing an ISR change', { isr: proposal.isr, epoch: proposal.epoch, baseVersion: proposal.baseVersion });
    this.options.isrWriter.write(this.shard, proposal, this.options.selfId).then(
      (ok) => { if (!ok) this.options.logger.info('ISR change lost a race; waiting for the newer record', { isr: proposal.isr }); },
      (err: unknown) => this.options.logger.warn('ISR change failed; will propose again', { err }),
    );
  }

  /** Answers producers whose records are committed, only while the lease is valid (checked right here). */
  private settle(): void {
    this.machine.setLeaseUntil(this.options.leaseUntilMs());
    if (!this.machine.mayAcknowledge(this.options.monoClock())) return;
    // TEST-ONLY: the unsafe switch acknowledges up to the leader's own log end (see unsafe-switches.ts).
    const hw = UNSAFE_ACK_ON_LEADER_APPEND ? this.machine.logEndOffset() : this.machine.highWatermark();
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.endOffset <= hw) n++;
    if (n === 0) return;
    for (const w of this.waiters.splice(0, n)) this.finish(w, okResponse(w.req.recs, w.admission, this.machine.epoch()));
  }

  private expireWaiters(now: number): void {
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.deadlineMs <= now) n++;
    for (const w of this.waiters.splice(0, n)) this.finish(w, this.failure('TIMEOUT', 'records were not replicated in time; outcome unknown'));
  }

  /** Fails queued producers with `queued` and those waiting for commit with `waiting`. */
  private failAll(queued: ErrorCode, waiting: ErrorCode, message: string): void {
    for (const req of this.pending.splice(0)) this.answer(req, this.failure(queued, message));
    for (const w of this.waiters.splice(0)) this.finish(w, this.failure(waiting, message));
  }

  private answer(req: PendingAppend, res: AppendResponse): void {
    this.outstandingRecords -= req.recs.count;
    this.outstandingBytes -= req.recs.bytes;
    req.resolve(res);
  }

  private finish(w: Waiter, res: AppendResponse): void {
    this.answer(w.req, res);
  }

  failure(error: ErrorCode, message: string): AppendResponse {
    return { error, error_message: message, results: [], epoch: this.machine.epoch() };
  }

  private rejection(error: ReplicationErrorCode): AppendAck {
    return { epoch: this.machine.epoch(), error, logEndOffset: this.machine.logEndOffset(), lastEpoch: this.machine.lastEpoch() };
  }

  /** Arrival time of the last record this replica holds. */
  lastArrival(): number { return this.lastArrivalMs; }
  isClosed(): boolean { return this.closed; }
  limiter(): ShardLimits | undefined { return this.limits; }
}

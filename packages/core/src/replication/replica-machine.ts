/**
 * The replication protocol of one shard replica as a pure, deterministic
 * state machine (in the style of etcd-io/raft): the driver feeds it
 * metadata (epoch, leader, ISR), local appends, ShardAppend messages,
 * acknowledgements and time; it answers with decisions (accept or reject an
 * append, which follower needs which offsets next, where the high watermark
 * is). It never does I/O: the driver persists batches, sends messages and
 * resolves producers. A leader may send a batch to its followers while its
 * own write of it is in flight: its part of the high watermark is the log
 * end its store holds (stored()), so nothing is acknowledged before every
 * ISR member, the leader included, has it in its store.
 *
 * Leader: tracks each follower's acknowledged log end (`matchEnd`) and where
 * the next send starts (`nextOffset`, optimistic, for pipelining). Sends to
 * a follower are numbered (`sendSeq`, echoed in its ack): after a reset
 * (a lost stream, a timeout, an error) the acks of earlier sends are stale
 * and change nothing, so they cannot take the in-flight count of a later
 * send. The high
 * watermark is the minimum log end over the ISR, and it never advances
 * while the ISR has fewer than MIN_INSYNC_REPLICAS members.
 *
 * Follower side (fencing, log matching, KIP-101/279 truncation, the reset
 * below a trimmed leader's log start): ReplicaLogState, replica-log-state.ts.
 *
 * ISR (leader side, isr-policy.ts): the leader proposes shrinking lagging
 * followers and adding caught-up ones; the driver writes the proposal to
 * etcd guarded by the config revision it was based on. The high watermark
 * counts the maximal ISR (committed ISR + pending proposal) until a newer
 * config revision is seen.
 *
 * Lease: a leader acknowledges nothing (appendRefusal, mayAcknowledge)
 * unless its node lease is valid at `nowMs` by the monotonic clock the
 * driver uses for every input (leaseUntilMs, set by the driver).
 *
 * Shard record rules are inputs too (the record is the config): `closing`
 * (a reshard) refuses appends with SHARD_CLOSED and, once everything
 * appended is committed, proposes the seal; `handoverTo` (a planned move)
 * refuses appends with HANDING_OVER while what was appended commits; a
 * replica reopened after a restart proposes an epoch bump instead of
 * leading an epoch it knew (leadOnlyAbove). proposalsDue() returns what the
 * driver should write to the record (ISR change, seal, epoch bump), each
 * repeated at its retry interval until the record shows the outcome.
 *
 * Idle shards cost nothing: there is no heartbeat. A leader sends only
 * what a follower lacks (records, the high watermark, a probe or a
 * truncation answer; the high watermark alone only after
 * HW_ONLY_SEND_DELAY_MS without a send); needsTick() tells the driver
 * whether time alone can change anything (messages in flight, a follower
 * behind, a proposal pending), so it ticks only those replicas. A
 * follower that had everything when the leader appended counts as caught
 * up at that moment (Kafka's lastCaughtUpTime), so an idle period never
 * looks like lag.
 */
import { MIN_INSYNC_REPLICAS } from '../limits';
import { freshProgress, hwOwed, resetProgress, unsettled } from './follower-progress';
import { nextIsr } from './isr-policy';
import { ReplicaLogState } from './replica-log-state';
import type {
  ReplicaConfig, IsrProposal, ReplicaPersistedState, BatchPosition, AppendAck, SendRequest, AppendRefusal, FollowerProgress,
  EpochBumpProposal, ReplicaProposals, SealProposal,
} from './replication-types';

import {
  EPOCH_BUMP_RETRY_MS,
  HW_ONLY_SEND_DELAY_MS,
  ISR_CHANGE_RETRY_MS,
  ISR_CHECK_INTERVAL_MS,
  REPLICATION_INFLIGHT_MAX,
  REPLICATION_RESEND_TIMEOUT_MS,
  REPLICATION_RETRY_BACKOFF_MS,
  SEAL_RETRY_MS,
} from './replication-limits';

export type {
  ReplicaRole, ReplicaConfig, TruncateRequest, IsrProposal, ReplicaPersistedState, BatchPosition, AppendMessage, AppendCheck, ReplicationErrorCode, AppendAck, SendRequest, AppendRefusal, FollowerProgress,
  EpochBumpProposal, ReplicaProposals, SealProposal,
} from './replication-types';

const NO_PROPOSALS: ReplicaProposals = Object.freeze({});

export class ReplicaMachine extends ReplicaLogState {
  private readonly progress = new Map<string, FollowerProgress>();
  private fenced = false;
  /** Monotonic ms until which the node's lease is known valid (0: never). */
  private leaseUntilMs = 0;
  /** Leader: log end when this epoch's leadership began. */
  private epochStartOffset = 0;
  /** Leader: the ISR change proposed and not yet seen in a newer config. */
  private pendingIsr: (IsrProposal & { lastProposedMs: number }) | undefined;
  private sealProposedMs = Number.NEGATIVE_INFINITY;
  private isrCheckedMs = Number.NEGATIVE_INFINITY;
  private bumpProposedMs = Number.NEGATIVE_INFINITY;

  /**
   * `leadOnlyAbove`: never lead (append, send, acknowledge) in an epoch at or
   * below this. A replica reopened after its process restarted passes the
   * highest epoch it knew: its log may now end before what it had sent its
   * followers in that epoch (unsynced writes lost), and appending new records
   * at those offsets in the same epoch would give two replicas different
   * records under one epoch, which no truncation can detect. It asks for the
   * next epoch instead (epochBumpDue), and followers' longer suffixes of the
   * old epoch are then truncated as after any election.
   *
   * `truncateBelowHw`: a leader may ask this follower to truncate below its
   * high watermark, lowering it. That only happens when committed records
   * were lost on every replica that could lead (storage nodes without fsync
   * losing power at once, docs/replication.md): accept the loss and follow
   * the leader rather than stop for good. Without it (fsync on, and the
   * simulation) it is a broken invariant and throws.
   */
  private readonly leadFloor: number;
  /**
   * End of the log known to be in this replica's store (the driver reports
   * each finished write with stored()). A leader counts only this much of
   * its own log toward the high watermark, so it may send a batch to its
   * followers while its own write of that batch is still in flight.
   */
  private storedEnd: number;

  constructor(selfId: string, persisted: ReplicaPersistedState, options: { readonly leadOnlyAbove?: number; readonly truncateBelowHw?: boolean } = {}) {
    super(selfId, persisted, options.truncateBelowHw ?? false);
    this.leadFloor = options.leadOnlyAbove ?? 0;
    this.storedEnd = persisted.logEndOffset;
  }

  // ---- inputs: metadata and local events ----------------------------------

  /** Applies the shard record; older epochs than known are ignored. */
  applyConfig(config: ReplicaConfig, nowMs: number): void {
    if (config.epoch < this.knownEpoch) return;
    const wasLeaderOfEpoch = this.role() === 'leader' && this.config?.epoch === config.epoch;
    if (this.pendingIsr && (config.revision !== this.pendingIsr.baseRevision || config.epoch !== this.pendingIsr.epoch)) this.pendingIsr = undefined;
    const previousIsr = this.config?.isr ?? [];
    if (this.config?.closing !== config.closing || this.config?.sealedLogEnd !== config.sealedLogEnd) this.sealProposedMs = Number.NEGATIVE_INFINITY;
    this.config = config;
    this.knownEpoch = config.epoch;
    if (config.leader !== this.selfId) { this.progress.clear(); this.pendingIsr = undefined; return; }
    if (!wasLeaderOfEpoch) this.epochStartOffset = this.logEnd;
    for (const id of [...this.progress.keys()]) if (!config.replicas.includes(id)) this.progress.delete(id);
    for (const id of config.replicas) {
      if (id === this.selfId || (wasLeaderOfEpoch && this.progress.has(id))) continue;
      this.progress.set(id, freshProgress(nowMs, this.logEnd));
    }
    // A follower that left the ISR (our shrink, the controller's, or its own after its database was
    // discarded and rebuilt, storage-node isr-withdrawal.ts) must prove again what it holds: what it
    // acknowledged before may be gone, and rejoining on that stale log end would let a replica that
    // lacks committed records back into the ISR and make it electable.
    for (const id of previousIsr) {
      const p = this.progress.get(id);
      if (p && !config.isr.includes(id)) p.matchEnd = -1;
    }
    this.advanceHw();
  }

  /** Lease lost (true) or regained (false): a fenced leader takes no appends. */
  setFenced(fenced: boolean): void {
    this.fenced = fenced;
  }

  /** The node lease is valid until `untilMs` (monotonic; last renewal's send time + TTL). */
  setLeaseUntil(untilMs: number): void {
    this.leaseUntilMs = untilMs;
  }

  /** Whether a leader may append now, or why not. */
  appendRefusal(nowMs: number): AppendRefusal | undefined {
    const c = this.config;
    if (!c || !this.mayAcknowledge(nowMs)) return 'NOT_LEADER';
    if (c.isr.length < MIN_INSYNC_REPLICAS || !c.isr.includes(this.selfId)) return 'NOT_ENOUGH_REPLICAS';
    if (c.closing === true) return 'SHARD_CLOSED';
    if (c.handoverTo !== undefined && c.handoverTo !== this.selfId) return 'HANDING_OVER';
    return undefined;
  }

  /** Whether producers may be told their records are committed now (leader of the current epoch, lease valid). */
  mayAcknowledge(nowMs: number): boolean {
    const c = this.config;
    return !!c && c.leader === this.selfId && !this.fenced && c.epoch === this.knownEpoch && c.epoch > this.leadFloor && nowMs < this.leaseUntilMs;
  }

  /**
   * The shard record names this replica leader of an epoch it may not lead
   * (leadOnlyAbove): the record revision to bump the epoch from, or undefined.
   */
  epochBumpDue(): EpochBumpProposal | undefined {
    const c = this.config;
    if (!c || c.leader !== this.selfId || this.fenced || c.epoch !== this.knownEpoch || c.epoch > this.leadFloor) return undefined;
    return { epoch: c.epoch, baseRevision: c.revision };
  }

  /** The leader persisted a batch at its log end. */
  leaderAppended(batch: BatchPosition, nowMs: number): void {
    if (this.appendRefusal(nowMs) !== undefined) throw new Error('leaderAppended on a replica that may not append');
    if (batch.firstOffset !== this.logEnd || batch.epoch !== this.knownEpoch || batch.count < 1) {
      throw new Error(`leader batch ${batch.epoch}@${batch.firstOffset}+${batch.count} does not extend log end ${this.logEnd} at epoch ${this.knownEpoch}`);
    }
    // A follower that had everything until now was caught up until now (Kafka's lastCaughtUpTime).
    for (const p of this.progress.values()) if (p.matchEnd >= this.logEnd) p.lastCaughtUpMs = nowMs;
    this.cache.assign(batch.epoch, batch.firstOffset);
    this.logEnd += batch.count;
  }

  /** The end of this replica's log that is in its store (never past the log end). */
  storedEndOffset(): number { return this.storedEnd; }

  /** The driver's store write finished: this replica's log up to `endOffset` is in its store. */
  stored(endOffset: number): void {
    if (endOffset > this.storedEnd) this.storedEnd = Math.min(endOffset, this.logEnd);
    this.advanceHw();
  }

  override truncated(toOffset: number): void {
    super.truncated(toOffset);
    this.storedEnd = Math.min(this.storedEnd, toOffset);
  }

  override reset(toOffset: number, prevEpoch: number): void {
    super.reset(toOffset, prevEpoch);
    this.storedEnd = toOffset;
  }

  // ---- leader: sends and acknowledgements --------------------------------

  /** Followers due a message now, one request each (call again after `sent`). */
  sendsDue(nowMs: number): SendRequest[] {
    // Only the leader of the current epoch sends: a deposed leader that learned a newer epoch from an
    // ack must not stamp its own log with that epoch (followers would take its truncations; chaos zombie-leader).
    if (this.role() !== 'leader' || this.fenced || this.config?.epoch !== this.knownEpoch || this.knownEpoch <= this.leadFloor) return [];
    const out: SendRequest[] = [];
    for (const [to, p] of this.progress) {
      if (p.inflight >= REPLICATION_INFLIGHT_MAX || nowMs < p.retryAtMs) continue;
      // Retention trimmed what lies below the log start: a follower that lacks it starts there (and resets).
      if (p.nextOffset < this.logStart) { p.nextOffset = this.logStart; p.truncate = undefined; }
      const hasData = p.nextOffset < this.logEnd;
      const idle = p.inflight === 0;
      const needsProbe = idle && p.matchEnd < 0;
      // The high watermark alone waits: under load the follower's next records carry it (one round per append, not two).
      const needsHw = idle && hwOwed(p, this.hw) && nowMs - p.lastSendMs >= HW_ONLY_SEND_DELAY_MS;
      const truncate = p.truncate && p.truncate.endOffset === p.nextOffset ? p.truncate : undefined;
      if (!hasData && !needsProbe && !needsHw && !truncate) continue;
      out.push({
        to,
        epoch: this.knownEpoch,
        fromOffset: p.nextOffset,
        prevEpoch: this.cache.epochAt(p.nextOffset - 1),
        maxEndOffset: this.logEnd,
        leaderHw: this.hw,
        leaderLogStart: this.logStart,
        ...(truncate ? { truncate } : {}),
        sendSeq: p.lastSendSeq + 1,
      });
    }
    return out;
  }

  /** The driver sent `to` the entries [fromOffset, endOffset) (maybe none). */
  sent(to: string, fromOffset: number, endOffset: number, nowMs: number): void {
    const p = this.progress.get(to);
    if (!p) return;
    if (fromOffset !== p.nextOffset || endOffset < fromOffset || endOffset > this.logEnd) {
      throw new Error(`send to ${to} of [${fromOffset}, ${endOffset}) does not start at next offset ${p.nextOffset}`);
    }
    p.nextOffset = endOffset;
    p.inflight++;
    p.lastSendSeq++;
    p.lastSendMs = nowMs;
    p.truncate = undefined;
  }

  /** A follower's acknowledgement. Returns true if the high watermark advanced. */
  onAck(from: string, ack: AppendAck, nowMs: number): boolean {
    const p = this.progress.get(from);
    if (!p || this.role() !== 'leader') return false;
    // An ack of a send made before the last reset: its message was counted out then, and it changes nothing else.
    const stale = ack.sendSeq !== undefined && ack.sendSeq > 0 && ack.sendSeq <= p.resetSeq;
    if (!stale) {
      p.inflight = Math.max(0, p.inflight - 1);
      p.lastAckMs = nowMs;
    }
    if (ack.epoch > this.knownEpoch) { this.observeEpoch(ack.epoch); return false; } // deposed: appendRefusal says NOT_LEADER, sendsDue nothing
    if (stale) return false;
    if (ack.error === 'OK') {
      if (ack.logEndOffset > this.logEnd) return false; // cannot hold more than we sent: ignore a confused peer
      if (ack.logEndOffset >= this.logEnd || ack.logEndOffset >= p.leaderEndAtLastAck) p.lastCaughtUpMs = nowMs;
      p.leaderEndAtLastAck = this.logEnd;
      p.matchEnd = Math.max(p.matchEnd, ack.logEndOffset);
      p.followerHw = Math.max(p.followerHw, ack.highWatermark);
      if (p.nextOffset < p.matchEnd) p.nextOffset = p.matchEnd;
      p.rewindTo = undefined;
      return this.advanceHw();
    }
    if (ack.error === 'LOG_MISMATCH') return this.onMismatch(p, ack);
    // SHARD_NOT_FOUND, STALE_EPOCH, INTERNAL: back off, then probe again.
    resetProgress(p, nowMs, this.logEnd);
    p.retryAtMs = nowMs + REPLICATION_RETRY_BACKOFF_MS;
    return false;
  }

  /** The stream to `nodeId` broke: everything in flight is lost. */
  followerDisconnected(nodeId: string, nowMs: number): void {
    const p = this.progress.get(nodeId);
    if (p) resetProgress(p, nowMs, this.logEnd);
  }

  /**
   * Time passes: followers silent while messages are in flight are probed
   * again; so are followers whose last sent entries no ack covers although
   * nothing is in flight, else nothing would send them (a backstop: with
   * numbered sends an ack cannot take a later message's count, but an ack
   * without a sendSeq still could).
   */
  tick(nowMs: number): void {
    for (const p of this.progress.values()) {
      const waiting = p.inflight > 0 || (p.matchEnd >= 0 && p.nextOffset > p.matchEnd);
      if (waiting && nowMs - Math.max(p.lastAckMs, p.lastSendMs) >= REPLICATION_RESEND_TIMEOUT_MS) resetProgress(p, nowMs, this.logEnd);
    }
  }

  /**
   * Whether time alone can change what this replica does, so the driver
   * must keep ticking it: a leader with a reachable follower that lacks
   * something or has messages in flight, a proposal to repeat, a seal to
   * write. False for followers and settled leaders (idle shards).
   * `reachable`: whether a message to the node can leave now (its stream
   * is up); an unreachable follower waits for its link, not for time.
   */
  needsTick(nowMs: number, reachable: (nodeId: string) => boolean): boolean {
    if (this.epochBumpDue()) return true;
    const c = this.config;
    if (!c || c.leader !== this.selfId || c.epoch !== this.knownEpoch) return false;
    if (this.pendingIsr || (c.closing === true && c.sealedLogEnd === undefined)) return true;
    for (const [id, p] of this.progress) {
      if (!reachable(id)) continue;
      if (unsettled(p, this.logEnd, this.hw, nowMs)) return true;
      if (!c.isr.includes(id)) return true; // caught up but not (yet) in the ISR: proposalsDue adds it
    }
    return false;
  }

  /**
   * What the driver should write to the shard record now: an ISR change, a
   * seal, an epoch bump. Each is returned again at its retry interval until
   * a newer record resolves it (the writes are guarded, so a repeat is harmless).
   */
  proposalsDue(nowMs: number): ReplicaProposals {
    // The ISR is looked at every ISR_CHECK_INTERVAL_MS at most: it changes on the scale of seconds.
    let isr: IsrProposal | undefined;
    if (nowMs - this.isrCheckedMs >= ISR_CHECK_INTERVAL_MS) {
      this.isrCheckedMs = nowMs;
      isr = this.isrChangeDue(nowMs);
    }
    const seal = this.sealDue(nowMs);
    const epochBump = this.epochBumpProposal(nowMs);
    if (!isr && !seal && !epochBump) return NO_PROPOSALS;
    return { ...(isr ? { isr } : {}), ...(seal ? { seal } : {}), ...(epochBump ? { epochBump } : {}) };
  }

  /** A closing shard's leader with everything committed (nothing more is admitted): seal at the log end. */
  private sealDue(nowMs: number): SealProposal | undefined {
    const c = this.config;
    if (c?.closing !== true || c.sealedLogEnd !== undefined || !this.mayAcknowledge(nowMs) || this.hw !== this.logEnd) return undefined;
    if (nowMs - this.sealProposedMs < SEAL_RETRY_MS) return undefined;
    this.sealProposedMs = nowMs;
    return { epoch: this.knownEpoch, logEnd: this.logEnd };
  }

  private epochBumpProposal(nowMs: number): EpochBumpProposal | undefined {
    const due = this.epochBumpDue();
    if (!due || nowMs - this.bumpProposedMs < EPOCH_BUMP_RETRY_MS) return undefined;
    this.bumpProposedMs = nowMs;
    return due;
  }

  /**
   * The ISR change the driver should write now (guarded by `baseRevision`),
   * or undefined. Marks it proposed at `nowMs`; a proposal not yet resolved
   * by a newer config is returned again every ISR_CHANGE_RETRY_MS (the
   * driver's compare-and-swap makes a repeat harmless).
   */
  isrChangeDue(nowMs: number): IsrProposal | undefined {
    const c = this.config;
    if (!c || !this.mayAcknowledge(nowMs)) return undefined;
    const pending = this.pendingIsr;
    if (pending) {
      if (nowMs - pending.lastProposedMs < ISR_CHANGE_RETRY_MS) return undefined;
      pending.lastProposedMs = nowMs;
      return { epoch: pending.epoch, baseRevision: pending.baseRevision, isr: pending.isr };
    }
    const isr = nextIsr({
      selfId: this.selfId, replicas: c.replicas, isr: c.isr, followers: this.progress,
      highWatermark: this.hw, logEnd: this.logEnd, epochStartOffset: this.epochStartOffset, nowMs,
    });
    if (!isr) return undefined;
    this.pendingIsr = { epoch: c.epoch, baseRevision: c.revision, isr, lastProposedMs: nowMs };
    this.advanceHw();
    return { epoch: c.epoch, baseRevision: c.revision, isr };
  }

  // ---- queries -------------------------------------------------------------

  /** The ISR the high watermark waits for: committed ISR plus a pending proposal's members. */
  maximalIsr(): string[] {
    const isr = [...(this.config?.isr ?? [])];
    for (const id of this.pendingIsr?.isr ?? []) if (!isr.includes(id)) isr.push(id);
    return isr;
  }

  /** Each follower's acknowledged log end (-1 = unknown). */
  followerLogEnds(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, p] of this.progress) out.set(id, p.matchEnd);
    return out;
  }

  // ---- helpers ---------------------------------------------------------------

  /** A message from a newer epoch's leader: remember it (fencing); a deposed leader stops. */
  protected observeEpoch(epoch: number): void {
    this.knownEpoch = epoch;
    if (this.config?.leader === this.selfId) { this.progress.clear(); this.pendingIsr = undefined; }
  }

  /**
   * A follower's log does not extend where we sent. If its whole log is a
   * prefix of ours (same epoch at its last offset), resend from its end;
   * otherwise answer with where its last epoch ends in our log (KIP-279).
   */
  private onMismatch(p: FollowerProgress, ack: AppendAck): boolean {
    // The refused message applied nothing, its high watermark included; what follows may truncate.
    p.followerHw = -1;
    if (ack.logEndOffset < this.logStart) {
      // Its log ends below ours: send from our log start, where it resets (checkAppend).
      if (p.rewindTo === this.logStart && p.inflight > 0) return false;
      p.nextOffset = this.logStart;
      p.rewindTo = this.logStart;
      p.truncate = undefined;
      return false;
    }
    if (ack.logEndOffset <= this.logEnd && this.matches(ack)) {
      const target = Math.max(this.logStart, ack.logEndOffset);
      if (p.rewindTo === target && p.inflight > 0) return false;
      p.matchEnd = Math.max(p.matchEnd, ack.logEndOffset);
      p.nextOffset = target;
      p.rewindTo = target;
      p.truncate = undefined;
      return this.advanceHw();
    }
    const epoch = this.cache.latestEpochAtMost(ack.lastEpoch);
    const endOffset = Math.max(this.logStart, Math.min(this.cache.endOffsetFor(epoch, this.logEnd), this.logEnd));
    if (p.rewindTo === endOffset && p.inflight > 0) return false; // one answer per mismatch storm
    p.truncate = { epoch, endOffset, ifLogEnd: ack.logEndOffset, ifLastEpoch: ack.lastEpoch };
    p.nextOffset = endOffset;
    p.rewindTo = endOffset;
    return false;
  }

  /** Whether a follower's log, ending as the ack says, is a prefix of ours. */
  private matches(ack: AppendAck): boolean {
    if (ack.logEndOffset === 0) return true;
    return this.cache.epochAt(ack.logEndOffset - 1) === ack.lastEpoch;
  }

  /** Recomputes the leader's high watermark over the maximal ISR; true if it advanced. */
  private advanceHw(): boolean {
    const c = this.config;
    if (!c || c.leader !== this.selfId || c.epoch !== this.knownEpoch) return false;
    const isr = this.maximalIsr();
    if (isr.length < MIN_INSYNC_REPLICAS) return false;
    let min = Infinity;
    for (const id of isr) {
      const end = id === this.selfId ? this.storedEnd : (this.progress.get(id)?.matchEnd ?? -1);
      if (end < min) min = end;
    }
    if (min > this.hw) {
      this.hw = min;
      return true;
    }
    return false;
  }
}

/**
 * The replication protocol of one shard replica as a pure, deterministic
 * state machine (in the style of etcd-io/raft): the driver feeds it
 * metadata (epoch, leader, ISR), local appends, ShardAppend messages,
 * acknowledgements and time; it answers with decisions (accept or reject an
 * append, which follower needs which offsets next, where the high watermark
 * is). It never does I/O: the driver persists batches, sends messages and
 * resolves producers, in that order.
 *
 * Leader: tracks each follower's acknowledged log end (`matchEnd`) and where
 * the next send starts (`nextOffset`, optimistic, for pipelining). The high
 * watermark is the minimum log end over the ISR, and it never advances
 * while the ISR has fewer than MIN_INSYNC_REPLICAS members.
 *
 * Follower: accepts a ShardAppend only if its epoch is >= the known epoch
 * (fencing), its start offset is the follower's log end, and prev_epoch is
 * the epoch of the follower's last entry (log matching). Otherwise it
 * answers STALE_EPOCH or LOG_MISMATCH with its log end and last epoch, and
 * the leader resends from there.
 *
 * Not here yet (next issue): truncating a divergent suffix after failover
 * (KIP-101/279, using LeaderEpochCache.endOffsetFor).
 */
import { MIN_INSYNC_REPLICAS } from '../limits';
import { LeaderEpochCache, type EpochEntry } from './leader-epoch-cache';
import {
  REPLICATION_HEARTBEAT_INTERVAL_MS,
  REPLICATION_INFLIGHT_MAX,
  REPLICATION_RESEND_TIMEOUT_MS,
  REPLICATION_RETRY_BACKOFF_MS,
} from './replication-limits';

export type ReplicaRole = 'leader' | 'follower';

/** The shard's metadata as the controller last wrote it. */
export interface ReplicaConfig {
  readonly epoch: number;
  readonly leader: string;
  readonly replicas: readonly string[];
  readonly isr: readonly string[];
}

/** What survives a restart (the driver persists it). */
export interface ReplicaPersistedState {
  readonly epoch: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly epochCache: readonly EpochEntry[];
}

/** Where a batch sits in the log (the header of an encoded record batch). */
export interface BatchPosition {
  readonly epoch: number;
  readonly firstOffset: number;
  readonly count: number;
}

/** A ShardAppend as the machine sees it (batch headers, not bytes). */
export interface AppendMessage {
  readonly epoch: number;
  readonly startOffset: number;
  readonly prevEpoch: number;
  readonly batches: readonly BatchPosition[];
  readonly leaderHw: number;
}

export type ReplicationErrorCode = 'OK' | 'STALE_EPOCH' | 'LOG_MISMATCH' | 'SHARD_NOT_FOUND' | 'INTERNAL';

/** A follower's answer to one ShardAppend. */
export interface AppendAck {
  readonly epoch: number;
  readonly error: ReplicationErrorCode;
  readonly logEndOffset: number;
  readonly lastEpoch: number;
}

/** "Send `to` the log from `fromOffset` (up to `maxEndOffset`, as budget allows)." */
export interface SendRequest {
  readonly to: string;
  readonly epoch: number;
  readonly fromOffset: number;
  readonly prevEpoch: number;
  readonly maxEndOffset: number;
  readonly leaderHw: number;
}

/** Why a leader cannot take an append now. */
export type AppendRefusal = 'NOT_LEADER' | 'NOT_ENOUGH_REPLICAS';

/** The leader's view of one follower. */
export interface FollowerProgress {
  /** Acknowledged exclusive log end; -1 until the follower has answered. */
  matchEnd: number;
  /** Where the next send starts (optimistic: sends are pipelined). */
  nextOffset: number;
  inflight: number;
  lastSendMs: number;
  lastAckMs: number;
  /** High watermark carried by the last send. */
  sentHw: number;
  /** Offset of the last rewind, while its resend is in flight (dedupes mismatch storms). */
  rewindTo: number | undefined;
  /** No sends before this time (follower not ready). */
  retryAtMs: number;
}

export class ReplicaMachine {
  private config: ReplicaConfig | undefined;
  private knownEpoch: number;
  private logStart: number;
  private logEnd: number;
  private hw: number;
  private readonly cache: LeaderEpochCache;
  private readonly progress = new Map<string, FollowerProgress>();
  private fenced = false;

  constructor(readonly selfId: string, persisted: ReplicaPersistedState) {
    this.knownEpoch = persisted.epoch;
    this.logStart = persisted.logStartOffset;
    this.logEnd = persisted.logEndOffset;
    this.hw = Math.min(persisted.highWatermark, persisted.logEndOffset);
    this.cache = new LeaderEpochCache(persisted.epochCache);
  }

  // ---- inputs: metadata and local events ----------------------------------

  /** Applies the shard record; older epochs than known are ignored. */
  applyConfig(config: ReplicaConfig, nowMs: number): void {
    if (config.epoch < this.knownEpoch) return;
    const wasLeaderOfEpoch = this.role() === 'leader' && this.config?.epoch === config.epoch;
    this.config = config;
    this.knownEpoch = config.epoch;
    if (config.leader !== this.selfId) { this.progress.clear(); return; }
    for (const id of [...this.progress.keys()]) if (!config.replicas.includes(id)) this.progress.delete(id);
    for (const id of config.replicas) {
      if (id === this.selfId || (wasLeaderOfEpoch && this.progress.has(id))) continue;
      this.progress.set(id, this.freshProgress(nowMs));
    }
    this.advanceHw();
  }

  /** Lease lost (true) or regained (false): a fenced leader takes no appends. */
  setFenced(fenced: boolean): void {
    this.fenced = fenced;
  }

  /** Whether a leader may append now, or why not. */
  appendRefusal(): AppendRefusal | undefined {
    const c = this.config;
    if (!c || c.leader !== this.selfId || this.fenced || c.epoch !== this.knownEpoch) return 'NOT_LEADER';
    if (c.isr.length < MIN_INSYNC_REPLICAS || !c.isr.includes(this.selfId)) return 'NOT_ENOUGH_REPLICAS';
    return undefined;
  }

  /** The leader persisted a batch at its log end. */
  leaderAppended(batch: BatchPosition): void {
    if (this.appendRefusal() !== undefined) throw new Error('leaderAppended on a replica that may not append');
    if (batch.firstOffset !== this.logEnd || batch.epoch !== this.knownEpoch || batch.count < 1) {
      throw new Error(`leader batch ${batch.epoch}@${batch.firstOffset}+${batch.count} does not extend log end ${this.logEnd} at epoch ${this.knownEpoch}`);
    }
    this.cache.assign(batch.epoch, batch.firstOffset);
    this.logEnd += batch.count;
    this.advanceHw();
  }

  // ---- leader: sends and acknowledgements --------------------------------

  /** Followers due a message now, one request each (call again after `sent`). */
  sendsDue(nowMs: number): SendRequest[] {
    if (this.role() !== 'leader' || this.fenced) return [];
    const out: SendRequest[] = [];
    for (const [to, p] of this.progress) {
      if (p.inflight >= REPLICATION_INFLIGHT_MAX || nowMs < p.retryAtMs) continue;
      const hasData = p.nextOffset < this.logEnd;
      const idle = p.inflight === 0;
      const needsProbe = idle && p.matchEnd < 0;
      const needsHw = idle && p.sentHw < this.hw;
      const heartbeat = idle && nowMs - p.lastSendMs >= REPLICATION_HEARTBEAT_INTERVAL_MS;
      if (!hasData && !needsProbe && !needsHw && !heartbeat) continue;
      out.push({
        to,
        epoch: this.knownEpoch,
        fromOffset: p.nextOffset,
        prevEpoch: this.cache.epochAt(p.nextOffset - 1),
        maxEndOffset: this.logEnd,
        leaderHw: this.hw,
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
    p.lastSendMs = nowMs;
    p.sentHw = this.hw;
  }

  /** A follower's acknowledgement. Returns true if the high watermark advanced. */
  onAck(from: string, ack: AppendAck, nowMs: number): boolean {
    const p = this.progress.get(from);
    if (!p || this.role() !== 'leader') return false;
    p.inflight = Math.max(0, p.inflight - 1);
    p.lastAckMs = nowMs;
    if (ack.epoch > this.knownEpoch) this.knownEpoch = ack.epoch; // deposed: appendRefusal now says NOT_LEADER
    if (ack.error === 'OK') {
      if (ack.logEndOffset > this.logEnd) return false; // cannot hold more than we sent: ignore a confused peer
      p.matchEnd = Math.max(p.matchEnd, ack.logEndOffset);
      if (p.nextOffset < p.matchEnd) p.nextOffset = p.matchEnd;
      p.rewindTo = undefined;
      return this.advanceHw();
    }
    if (ack.error === 'LOG_MISMATCH') {
      const target = Math.max(this.logStart, Math.min(ack.logEndOffset, this.logEnd));
      if (p.rewindTo === target && p.inflight > 0) return false;
      if (ack.logEndOffset <= this.logEnd) p.matchEnd = Math.max(p.matchEnd, Math.min(ack.logEndOffset, this.matchableEnd(ack)));
      p.nextOffset = target;
      p.rewindTo = target;
      return this.advanceHw();
    }
    // SHARD_NOT_FOUND, STALE_EPOCH, INTERNAL: back off, then probe again.
    this.resetProgress(p, nowMs);
    p.retryAtMs = nowMs + REPLICATION_RETRY_BACKOFF_MS;
    return false;
  }

  /** The stream to `nodeId` broke: everything in flight is lost. */
  followerDisconnected(nodeId: string, nowMs: number): void {
    const p = this.progress.get(nodeId);
    if (p) this.resetProgress(p, nowMs);
  }

  /** Time passes: followers silent while messages are in flight are probed again. */
  tick(nowMs: number): void {
    for (const p of this.progress.values()) {
      if (p.inflight > 0 && nowMs - Math.max(p.lastAckMs, p.lastSendMs) >= REPLICATION_RESEND_TIMEOUT_MS) this.resetProgress(p, nowMs);
    }
  }

  // ---- follower ------------------------------------------------------------

  /** Whether a ShardAppend may be persisted; the rejection is the ack to send. */
  checkAppend(msg: AppendMessage): { ok: true } | { ok: false; ack: AppendAck } {
    if (msg.epoch < this.knownEpoch) return { ok: false, ack: this.ack('STALE_EPOCH') };
    if (this.role() === 'leader' && msg.epoch === this.knownEpoch) return { ok: false, ack: this.ack('STALE_EPOCH') };
    if (msg.startOffset !== this.logEnd) return { ok: false, ack: this.ack('LOG_MISMATCH') };
    if (msg.prevEpoch !== this.cache.epochAt(this.logEnd - 1)) return { ok: false, ack: this.ack('LOG_MISMATCH') };
    let next = msg.startOffset;
    let lastEpoch = this.cache.latestEpoch();
    for (const b of msg.batches) {
      if (b.firstOffset !== next || b.count < 1 || b.epoch < lastEpoch || b.epoch > msg.epoch) return { ok: false, ack: this.ack('INTERNAL') };
      next += b.count;
      lastEpoch = b.epoch;
    }
    return { ok: true };
  }

  /** The follower persisted an accepted append; returns the ack to send. */
  followerAppended(msg: AppendMessage): AppendAck {
    if (msg.startOffset !== this.logEnd) throw new Error('followerAppended out of order');
    if (msg.epoch > this.knownEpoch) {
      this.knownEpoch = msg.epoch;
      if (this.config?.leader === this.selfId) this.progress.clear(); // a newer leader exists
    }
    for (const b of msg.batches) {
      this.cache.assign(b.epoch, b.firstOffset);
      this.logEnd = b.firstOffset + b.count;
    }
    const hw = Math.min(msg.leaderHw, this.logEnd);
    if (hw > this.hw) this.hw = hw;
    return this.ack('OK');
  }

  // ---- queries -------------------------------------------------------------

  role(): ReplicaRole {
    return this.config?.leader === this.selfId ? 'leader' : 'follower';
  }
  epoch(): number { return this.knownEpoch; }
  logEndOffset(): number { return this.logEnd; }
  logStartOffset(): number { return this.logStart; }
  highWatermark(): number { return this.hw; }
  lastEpoch(): number { return this.cache.epochAt(this.logEnd - 1); }
  epochAt(offset: number): number { return this.cache.epochAt(offset); }
  isrSize(): number { return this.config?.isr.length ?? 0; }

  /** Each follower's acknowledged log end (-1 = unknown). */
  followerLogEnds(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, p] of this.progress) out.set(id, p.matchEnd);
    return out;
  }

  persisted(): ReplicaPersistedState {
    return { epoch: this.knownEpoch, logStartOffset: this.logStart, logEndOffset: this.logEnd, highWatermark: this.hw, epochCache: this.cache.snapshot() };
  }

  // ---- helpers ---------------------------------------------------------------

  private ack(error: ReplicationErrorCode): AppendAck {
    return { epoch: this.knownEpoch, error, logEndOffset: this.logEnd, lastEpoch: this.lastEpoch() };
  }

  /**
   * How much of a mismatching follower's log is known to match ours: its
   * log end if its last epoch is the one we have there, else nothing new
   * (a divergent suffix; truncation comes with the next issue).
   */
  private matchableEnd(ack: AppendAck): number {
    if (ack.logEndOffset === 0) return 0;
    return this.cache.epochAt(ack.logEndOffset - 1) === ack.lastEpoch ? ack.logEndOffset : -1;
  }

  private freshProgress(nowMs: number): FollowerProgress {
    return { matchEnd: -1, nextOffset: this.logEnd, inflight: 0, lastSendMs: nowMs - REPLICATION_HEARTBEAT_INTERVAL_MS, lastAckMs: nowMs, sentHw: -1, rewindTo: undefined, retryAtMs: 0 };
  }

  private resetProgress(p: FollowerProgress, nowMs: number): void {
    p.inflight = 0;
    p.rewindTo = undefined;
    p.nextOffset = p.matchEnd >= 0 ? p.matchEnd : this.logEnd;
    p.sentHw = -1;
    p.lastAckMs = nowMs;
    p.retryAtMs = 0;
  }

  /** Recomputes the leader's high watermark; true if it advanced. */
  private advanceHw(): boolean {
    const c = this.config;
    if (!c || c.leader !== this.selfId || c.isr.length < MIN_INSYNC_REPLICAS) return false;
    let min = Infinity;
    for (const id of c.isr) {
      const end = id === this.selfId ? this.logEnd : (this.progress.get(id)?.matchEnd ?? -1);
      if (end < min) min = end;
    }
    if (min > this.hw) {
      this.hw = min;
      return true;
    }
    return false;
  }
}

/**
 * The log-side state of one shard replica and the follower half of the
 * replication protocol (ReplicaMachine, replica-machine.ts, adds the
 * leader half): the known epoch, log start and end, high watermark and
 * leader-epoch cache, and what survives a restart.
 *
 * Follower: accepts a ShardAppend only if its epoch is >= the known epoch
 * (fencing), its start offset is the follower's log end, and prev_epoch is
 * the epoch of the follower's last entry (log matching). Otherwise it
 * answers STALE_EPOCH or LOG_MISMATCH with its log end and last epoch, and
 * the leader resends from there.
 *
 * Divergence (KIP-101/279): when a follower's LOG_MISMATCH shows a last
 * epoch the leader's log does not end the same way, the leader answers with
 * the largest epoch it has <= the follower's last epoch and where that epoch
 * ends in its log (TruncateRequest, guarded by the follower's reported log
 * end and last epoch so a stale or duplicated answer is ignored). The
 * follower truncates to min(that end, its own end of that epoch), rounded
 * down to a batch start by the driver, and the leader probes again; each
 * round shortens the log, so it converges. Only divergent entries are ever
 * removed, and never below the follower's high watermark (asserted).
 *
 * Retention (the node trims committed batches, trimmed()) moves the log
 * start: a follower whose log ends below the leader's log start (behind
 * for longer than the retention, or new) gets sends from there and resets
 * its log to start at it (checkAppend's 'reset', reset()).
 */
import { LeaderEpochCache } from './leader-epoch-cache';
import type {
  AppendAck, AppendCheck, AppendMessage, ReplicaConfig, ReplicaPersistedState, ReplicaRole, ReplicationErrorCode,
} from './replication-types';

export abstract class ReplicaLogState {
  protected config: ReplicaConfig | undefined;
  protected knownEpoch: number;
  protected logStart: number;
  protected logEnd: number;
  protected hw: number;
  protected readonly cache: LeaderEpochCache;

  protected constructor(readonly selfId: string, persisted: ReplicaPersistedState, private readonly truncateBelowHw: boolean) {
    this.knownEpoch = persisted.epoch;
    this.logStart = persisted.logStartOffset;
    this.logEnd = persisted.logEndOffset;
    this.hw = Math.min(persisted.highWatermark, persisted.logEndOffset);
    this.cache = new LeaderEpochCache(persisted.epochCache);
  }

  /** A message from a newer epoch's leader: remember it (fencing). */
  protected abstract observeEpoch(epoch: number): void;

  // ---- follower ------------------------------------------------------------

  /** What to do with a ShardAppend: append it, reject it (the ack to send), or truncate or reset first. */
  checkAppend(msg: AppendMessage): AppendCheck {
    if (msg.epoch < this.knownEpoch) return this.reject('STALE_EPOCH');
    // A newer epoch's leader: remember its epoch first (fencing), so that a leader whose shard record is
    // stale (a zombie back from a partition) refuses it below, as after a newer ack, until the record
    // arrives and makes it a follower. It used to take the truncation as leader and crash the node on
    // "a leader never truncates its log" (chaos zombie-leader).
    if (msg.epoch > this.knownEpoch) this.observeEpoch(msg.epoch);
    if (this.role() === 'leader' && msg.epoch === this.knownEpoch) return this.reject('STALE_EPOCH');
    const t = msg.truncate;
    if (t && t.ifLogEnd === this.logEnd && t.ifLastEpoch === this.lastEpoch()) {
      const toOffset = Math.min(t.endOffset, this.cache.endOffsetFor(t.epoch, this.logEnd));
      if (toOffset < this.logEnd) return { action: 'truncate', toOffset: Math.max(toOffset, this.logStart) };
    }
    if (msg.startOffset !== this.logEnd || msg.prevEpoch !== this.cache.epochAt(this.logEnd - 1)) {
      // The leader sends from its log start and our log ends at or below it without matching: retention
      // trimmed on the leader what we lack (or hold differently), so nothing of ours is needed any more.
      if (msg.startOffset === msg.leaderLogStart && msg.startOffset >= this.logEnd && this.role() !== 'leader') return { action: 'reset', toOffset: msg.startOffset };
      return this.reject('LOG_MISMATCH');
    }
    let next = msg.startOffset;
    let lastEpoch = this.cache.latestEpoch();
    for (const b of msg.batches) {
      if (b.firstOffset !== next || b.count < 1 || b.epoch < lastEpoch || b.epoch > msg.epoch) return this.reject('INTERNAL');
      next += b.count;
      lastEpoch = b.epoch;
    }
    return { action: 'append' };
  }

  /**
   * The driver truncated the log to `toOffset` (a batch start at or below
   * what checkAppend asked). Removing a committed entry would lose an
   * acknowledged record: that is a broken invariant, not an error.
   */
  truncated(toOffset: number): void {
    const floor = this.truncateBelowHw ? this.logStart : this.hw;
    if (toOffset < floor || toOffset < this.logStart || toOffset > this.logEnd) {
      throw new Error(`truncation to ${toOffset} outside [hw ${this.hw}, log end ${this.logEnd}] (log start ${this.logStart})`);
    }
    if (this.role() === 'leader') throw new Error('a leader never truncates its log');
    if (toOffset < this.hw) this.hw = toOffset;
    this.logEnd = toOffset;
    this.cache.truncateFrom(toOffset);
  }

  /** The follower persisted an accepted append; returns the ack to send. */
  followerAppended(msg: AppendMessage): AppendAck {
    if (msg.startOffset !== this.logEnd) throw new Error('followerAppended out of order');
    if (msg.epoch > this.knownEpoch) this.observeEpoch(msg.epoch);
    for (const b of msg.batches) {
      this.cache.assign(b.epoch, b.firstOffset);
      this.logEnd = b.firstOffset + b.count;
    }
    const hw = Math.min(msg.leaderHw, this.logEnd);
    if (hw > this.hw) this.hw = hw;
    return this.ack('OK');
  }

  /**
   * The driver emptied the log and set it to start (and end) at `toOffset`,
   * as checkAppend asked ('reset'): everything below is trimmed on the
   * leader. `prevEpoch` (the leader's epoch at toOffset - 1) lets the
   * append that follows match.
   */
  reset(toOffset: number, prevEpoch: number): void {
    if (this.role() === 'leader') throw new Error('a leader never resets its log');
    if (toOffset < this.logEnd) throw new Error(`reset to ${toOffset} below log end ${this.logEnd}`);
    this.logStart = toOffset;
    this.logEnd = toOffset;
    this.hw = toOffset;
    this.cache.truncateFrom(0);
    if (prevEpoch > 0) this.cache.assign(prevEpoch, toOffset - 1);
  }

  /** Retention removed the committed records below `logStart` (whole batches, at or below the high watermark). */
  trimmed(logStart: number): void {
    if (logStart < this.logStart || logStart > this.hw) throw new Error(`trim to ${logStart} outside [log start ${this.logStart}, hw ${this.hw}]`);
    this.logStart = logStart;
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

  persisted(): ReplicaPersistedState {
    return { epoch: this.knownEpoch, logStartOffset: this.logStart, logEndOffset: this.logEnd, highWatermark: this.hw, epochCache: this.cache.snapshot() };
  }

  // ---- helpers ---------------------------------------------------------------

  protected ack(error: ReplicationErrorCode): AppendAck {
    return { epoch: this.knownEpoch, error, logEndOffset: this.logEnd, lastEpoch: this.lastEpoch(), highWatermark: this.hw };
  }

  protected reject(error: ReplicationErrorCode): AppendCheck {
    return { action: 'reject', ack: this.ack(error) };
  }
}

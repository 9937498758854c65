/**
 * The leader-epoch cache of one shard log (Kafka's leader-epoch checkpoint):
 * for every epoch that wrote to the log, the offset of its first entry.
 * Answers "which epoch wrote offset o" (for the log-matching check of
 * ShardAppend.prev_epoch) and "where does epoch e end" (for KIP-101/279
 * truncation of divergent suffixes after failover).
 *
 * Entries are strictly increasing in both epoch and start offset. Bounded:
 * past EPOCH_CACHE_ENTRIES_MAX the oldest entries are dropped, which only
 * loses answers about offsets far behind every replica's log end.
 */
import { EPOCH_CACHE_ENTRIES_MAX } from './replication-limits';

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

export class LeaderEpochCache {
  private readonly entries: EpochEntry[];

  constructor(entries: readonly EpochEntry[] = []) {
    this.entries = [];
    for (const e of entries) this.assign(e.epoch, e.startOffset);
  }

  /** Records that `epoch` wrote its first entry at `startOffset`; no-op if already known. */
  assign(epoch: number, startOffset: number): void {
    const last = this.entries[this.entries.length - 1];
    if (last && last.epoch === epoch) return;
    if (last && (epoch < last.epoch || startOffset < last.startOffset)) {
      throw new Error(`epoch cache must grow: (${epoch}@${startOffset}) after (${last.epoch}@${last.startOffset})`);
    }
    // Same start offset: the previous epoch wrote nothing; replace it.
    if (last && startOffset === last.startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    if (this.entries.length > EPOCH_CACHE_ENTRIES_MAX) this.entries.shift();
  }

  /** Epoch that wrote `offset` (0 for offset < 0 or an empty cache). */
  epochAt(offset: number): number {
    if (offset < 0) return 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]!.startOffset <= offset) return this.entries[i]!.epoch;
    }
    return 0;
  }

  /**
   * Exclusive end offset of `epoch` in a log ending at `logEndOffset`: the
   * start of the first larger epoch, or the log end if none. For a follower
   * asking "where does my last epoch end on the leader" (KIP-101/279).
   */
  endOffsetFor(epoch: number, logEndOffset: number): number {
    for (const e of this.entries) if (e.epoch > epoch) return e.startOffset;
    return logEndOffset;
  }

  /** Largest known epoch <= `epoch` (0 if none): the KIP-279 answer for a follower's last epoch. */
  latestEpochAtMost(epoch: number): number {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.epoch <= epoch) return this.entries[i]!.epoch;
    return 0;
  }

  /** Forgets every epoch that started at or after `offset` (the log was truncated there). */
  truncateFrom(offset: number): void {
    while (this.entries.length > 0 && this.entries[this.entries.length - 1]!.startOffset >= offset) this.entries.pop();
  }

  /** Latest epoch (0 if none). */
  latestEpoch(): number {
    return this.entries[this.entries.length - 1]?.epoch ?? 0;
  }

  snapshot(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }
}

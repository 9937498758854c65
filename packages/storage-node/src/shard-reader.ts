/**
 * The read side of one shard replica: everything reads (GetRecords' Read,
 * Seek) and subscriptions (enhanced fan-out) may use, and nothing more.
 * Readers never touch the replica's machine, cache, log or options: the
 * replica (ReplicaReadView, reached as `replica.reader`) implements this interface, so the storage
 * layout and the write path can change behind it.
 *
 * Every offset a reader gets is committed: below the high watermark, held
 * by every in-sync replica, never rewritten. Change listeners run after the
 * replica's loop iteration that moved the high watermark, the log start,
 * the role or the epoch, or when the replica closes; they must not block
 * (schedule work, do not await in them).
 */
import type { RecordBatch, ReplicaRole } from '@shoal/core';

/** Identifies one shard log on a node. */
export interface ShardRef {
  readonly streamId: string;
  readonly shardId: string;
}

/** Per-shard read throughput limits (GetRecords: 5 calls/s, 2 MiB/s), charged by metered reads. */
export interface ShardReadLimiter {
  /** Takes one read call; false when the shard's call rate is exceeded. */
  tryReadCall(nowMs: number): boolean;
  /** Charges the bytes a read returned. */
  chargeRead(bytes: number, nowMs: number): void;
}

export interface ShardReader {
  readonly shard: ShardRef;
  readonly streamName: string;
  role(): ReplicaRole;
  epoch(): number;
  /** Exclusive end of the committed records. */
  highWatermark(): number;
  /** First offset still held (records below it were trimmed). */
  logStartOffset(): number;
  /** True once the replica is closed (unassigned, node stopping); it serves nothing more. */
  isClosed(): boolean;
  /**
   * Committed batches holding offsets from `from` (the first batch may start
   * before it) up to at most `end` (exclusive, clamped to the high
   * watermark), about `maxBytes` in all but at least one batch when any
   * record is there. Empty when from >= the high watermark.
   */
  batchesFrom(from: number, end: number, maxBytes: number): Promise<RecordBatch[]>;
  /** The first committed offset whose record arrived at or after `timestampMs`; undefined if none. */
  offsetAtTime(timestampMs: number): Promise<number | undefined>;
  /** Arrival time (epoch ms) of the committed record at `offset`; 0 if none. */
  arrivalAt(offset: number): Promise<number>;
  /** The shard's read limits, for metered reads; undefined when limits are off. */
  readLimiter(): ShardReadLimiter | undefined;
  /** Counts a metered read's result in the node's metrics (GetRecords.Bytes/Records, ReadProvisionedThroughputExceeded). */
  noteRead(outcome: { readonly bytes: number; readonly records: number } | 'throttled'): void;
  /** Calls `listener` after the high watermark, log start, role or epoch changed, and once on close. Returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

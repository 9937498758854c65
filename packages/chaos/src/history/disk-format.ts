/**
 * History lines of the disk faults (harness/disk-faults.ts; conventions as
 * in history-format.ts: JSONL, harness epoch ms):
 *
 *   disk.jsonl   DiskEvent: what a power cut took from each node's files;
 *                which bits a corruption flipped in which file; whether
 *                the corrupted node reported the corruption after its
 *                restart (its log); and every shard record that named the
 *                corrupted node leader while it was still rebuilding.
 */

export const DISK_FILES = { disk: 'disk.jsonl' } as const;

/** A simulated power cut of one storage node's disk (power-cut.ts). */
export interface PowerCutEvent {
  readonly type: 'power-cut';
  readonly atMs: number;
  readonly node: string;
  /** Files never synced since creation, removed. */
  readonly removedFiles: number;
  /** Files cut back to their last synced size. */
  readonly truncatedFiles: number;
  readonly droppedBytes: number;
}

/** Bits flipped in a stopped node's LevelDB files. */
export interface CorruptionEvent {
  readonly type: 'corruption';
  readonly atMs: number;
  readonly node: string;
  readonly flips: ReadonlyArray<{ readonly file: string; readonly offset: number; readonly bit: number }>;
}

/** After the corrupted node was restarted: did its log report the corruption? */
export interface CorruptionDetection {
  readonly type: 'corruption-detection';
  readonly atMs: number;
  readonly node: string;
  readonly detected: boolean;
  /** The node's log line that reported it. */
  readonly line?: string;
}

/**
 * A shard record named the corrupted node leader while its restarted
 * process was registered and it had not yet been re-added to that shard's
 * ISR by a leader (so it had not caught up: it was not repaired).
 */
export interface LedWhileRebuilding {
  readonly type: 'led-while-rebuilding';
  readonly atMs: number;
  readonly node: string;
  readonly shardId: string;
  readonly epoch: number;
}

export type DiskEvent = PowerCutEvent | CorruptionEvent | CorruptionDetection | LedWhileRebuilding;

/**
 * The most recent batches of one replica's log, in memory, so that sends to
 * followers and tail reads (the common GetRecords case) need no LevelDB
 * read. Holds a contiguous run of batches ending at the log end, bounded by
 * bytes (oldest dropped first).
 */
import type { RecordBatch } from '@shoal/core';

export class BatchCache {
  private batches: RecordBatch[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly bytesMax: number) {}

  /** Adds a batch at the log end; a gap (after a reset) restarts the run. */
  push(batch: RecordBatch): void {
    const last = this.batches[this.batches.length - 1];
    if (last && last.endOffset !== batch.firstOffset) this.clear();
    this.batches.push(batch);
    this.bytes += batch.bytes.length;
    while (this.bytes > this.bytesMax && this.batches.length - this.head > 1) {
      this.bytes -= this.batches[this.head]!.bytes.length;
      this.head++;
    }
    // Compact the array now and then instead of shifting on every drop.
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.batches = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** Offset of the first cached entry (Infinity if empty). */
  startOffset(): number {
    return this.batches[this.head]?.firstOffset ?? Infinity;
  }

  /**
   * Batches covering [from, end) up to about maxBytes (at least one), or
   * undefined if `from` is not cached.
   */
  slice(from: number, end: number, maxBytes: number): RecordBatch[] | undefined {
    if (from < this.startOffset()) return undefined;
    let lo = this.head;
    let hi = this.batches.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.batches[mid]!;
      if (b.firstOffset <= from) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (at < 0) return undefined;
    const out: RecordBatch[] = [];
    let bytes = 0;
    for (let i = at; i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (b.firstOffset >= end) break;
      if (from >= b.endOffset) return out; // from is past the cached log end
      out.push(b);
      bytes += b.bytes.length;
      if (bytes >= maxBytes) break;
    }
    return out;
  }
}

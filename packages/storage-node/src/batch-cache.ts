/**
 * The most recent batches of one leader replica's log, in memory, so that
 * sends to followers and tail reads (the common GetRecords case, and
 * enhanced fan-out) need no LevelDB read. Holds a contiguous run of batches
 * ending at the log end, bounded by bytes (oldest dropped first): each
 * holding cache's share of the node's budget (CacheBudget), so a node's
 * caches stay within one bound however many shards it holds.
 *
 * Only leaders hold batches: sends and metered reads happen at the leader,
 * so a follower's cache would only serve once it leads, while copying each
 * batch out of the replication message and keeping it cost every follower
 * CPU and memory (a node follows twice as many shards as it leads). A
 * replica that follows releases its cache; one newly elected starts it
 * empty, at its log end, and reads older batches from the store.
 */
import type { RecordBatch } from '@shoal/core';

/** The node-wide bound of every replica's cache: each may hold an equal share, up to `perCacheMax`. */
export class CacheBudget {
  private caches = 0;

  constructor(readonly bytesMax: number, readonly perCacheMax: number) {}

  register(): void { this.caches++; }
  unregister(): void { this.caches = Math.max(0, this.caches - 1); }

  /** Bytes one cache may hold now. */
  share(): number {
    return Math.min(this.perCacheMax, Math.floor(this.bytesMax / Math.max(1, this.caches)));
  }
}

export class BatchCache {
  /** Cached batches from `head` on; slots before it are dropped (undefined), so nothing holds their bytes. */
  private batches: (RecordBatch | undefined)[] = [];
  private head = 0;
  private bytes = 0;
  /** Whether this cache holds batches and takes a share of the budget (from its first push to release()). */
  private registered = false;

  constructor(private readonly budget: CacheBudget) {}

  /**
   * Adds a batch at the log end (the leader's own, just assembled: its
   * bytes are its own buffer, so the budget bounds the memory held); a gap
   * restarts the run.
   */
  push(batch: RecordBatch): void {
    if (!this.registered) {
      this.budget.register();
      this.registered = true;
    }
    if (this.batches.length > this.head && this.batches[this.batches.length - 1]!.endOffset !== batch.firstOffset) this.clear();
    this.batches.push(batch);
    this.bytes += batch.bytes.length;
    const bytesMax = this.budget.share();
    while (this.bytes > bytesMax && this.batches.length > this.head) {
      this.bytes -= this.batches[this.head]!.bytes.length;
      this.batches[this.head] = undefined;
      this.head++;
    }
    if (this.head === this.batches.length) this.clear();
    // Compact the array now and then instead of shifting on every drop.
    else if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.batches = [];
    this.head = 0;
    this.bytes = 0;
  }

  /** The replica follows or is gone: empty, and out of the budget until the next push. */
  release(): void {
    // Only a registered cache holds batches (push registers first).
    if (!this.registered) return;
    this.clear();
    this.budget.unregister();
    this.registered = false;
  }

  /** Offset of the first cached entry (Infinity if empty). */
  startOffset(): number {
    return this.batches[this.head]?.firstOffset ?? Infinity;
  }

  /**
   * Batches covering [from, end) up to about maxBytes (at least one), or
   * undefined if `from` is not cached (read the store).
   */
  slice(from: number, end: number, maxBytes: number): RecordBatch[] | undefined {
    if (from >= end) return [];
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
      if (from >= b.endOffset) return undefined; // from is past the cached run
      out.push(b);
      bytes += b.bytes.length;
      if (bytes >= maxBytes) break;
    }
    return out;
  }
}

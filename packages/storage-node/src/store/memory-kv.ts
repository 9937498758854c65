/**
 * An in-memory Kv (kv.ts) with LevelDB's durability model, for the seeded
 * simulation and unit tests: every batch is atomic; a batch written without
 * sync is lost by a power cut unless a later synced batch made it durable
 * (LevelDB's log is appended in order, and a synced write syncs everything
 * before it); a cut keeps a prefix of the unsynced batches, as a log cut
 * short would. Batches complete through `complete` (default: at once, as a
 * resolved promise), so a simulation can hold writes in flight on a fake
 * disk: a batch still in flight at a cut is lost, and reads see a batch
 * only once it completed.
 */
import type { Kv, KvOp, KvRange } from './kv';

/** Runs `done` when the disk has finished a write (a simulation delays it). */
export type CompleteWrite = (done: () => void) => void;

class SortedMap {
  readonly keys: string[] = [];
  readonly values = new Map<string, Buffer>();

  /** Index of the first key >= `key`. */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keys[mid]! < key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  apply(ops: readonly KvOp[]): void {
    for (const op of ops) {
      const has = this.values.has(op.key);
      if (op.type === 'put') {
        if (!has) this.keys.splice(this.lowerBound(op.key), 0, op.key);
        this.values.set(op.key, op.value);
      } else if (has) {
        this.keys.splice(this.lowerBound(op.key), 1);
        this.values.delete(op.key);
      }
    }
  }

  copy(): SortedMap {
    const c = new SortedMap();
    c.keys.push(...this.keys);
    for (const [k, v] of this.values) c.values.set(k, v);
    return c;
  }
}

export class MemoryKv implements Kv {
  private live = new SortedMap();
  /** What survives a power cut for sure. */
  private durable = new SortedMap();
  /** Batches applied after the durable state, not yet synced (in order). */
  private unsynced: KvOp[][] = [];
  /** Bumped by a cut: completions of writes issued before it are dropped. */
  private generation = 0;

  constructor(private complete: CompleteWrite = (done) => { void Promise.resolve().then(done); }) {}

  /** Changes how writes complete from now on (a simulation holds them on its disk, or lets them complete at once). */
  setComplete(complete: CompleteWrite): void {
    this.complete = complete;
  }

  batch(ops: readonly KvOp[], sync: boolean): Promise<void> {
    const copy = ops.map((op) => ({ ...op }));
    const generation = this.generation;
    return new Promise((resolve) => {
      this.complete(() => {
        if (generation !== this.generation) return; // lost in a power cut: never completes
        this.live.apply(copy);
        this.unsynced.push(copy);
        if (sync) {
          for (const b of this.unsynced) this.durable.apply(b);
          this.unsynced = [];
        }
        resolve();
      });
    });
  }

  async getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>> {
    return keys.map((k) => this.live.values.get(k));
  }

  async *entries(range: KvRange): AsyncIterable<readonly [string, Buffer]> {
    for (const key of this.rangeKeys(range)) {
      const value = this.live.values.get(key);
      if (value !== undefined) yield [key, value] as const;
    }
  }

  async *keys(range: KvRange): AsyncIterable<string> {
    for (const key of this.rangeKeys(range)) if (this.live.values.has(key)) yield key;
  }

  /** An fsync of the log: every completed write is durable. */
  syncAll(): void {
    for (const b of this.unsynced) this.durable.apply(b);
    this.unsynced = [];
  }

  /** The process died: writes in flight are lost, completed ones are in the OS and survive. */
  processCrash(): void {
    this.generation++;
  }

  /** The machine lost power: writes in flight are lost, and of the unsynced ones only the first `keepUnsynced` survive. */
  powerCut(keepUnsynced: number): void {
    const kept = this.durable.copy();
    for (const b of this.unsynced.slice(0, Math.max(0, keepUnsynced))) kept.apply(b);
    this.durable = kept;
    this.live = kept.copy();
    this.unsynced = [];
    this.generation++;
  }

  /** Unsynced batches a power cut could lose now. */
  unsyncedBatches(): number {
    return this.unsynced.length;
  }

  size(): number {
    return this.live.keys.length;
  }

  private rangeKeys(range: KvRange): string[] {
    const from = this.live.lowerBound(range.gte);
    const to = this.live.lowerBound(range.lt);
    const keys = this.live.keys.slice(from, Math.max(from, to));
    if (range.reverse) keys.reverse();
    return range.limit !== undefined && range.limit >= 0 ? keys.slice(0, range.limit) : keys;
  }
}

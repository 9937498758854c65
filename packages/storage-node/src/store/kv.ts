/**
 * The key-value port the storage layer (node-store.ts) is written against:
 * ordered string keys, Buffer values, atomic batches with an optional sync,
 * and ordered range scans. Two implementations: LevelKv (LevelDB through
 * classic-level, what nodes run) and MemoryKv (memory-kv.ts, for the
 * seeded simulation and unit tests, with LevelDB's durability model).
 */
import { type Level } from 'level';

export type KvOp = { readonly type: 'put'; readonly key: string; readonly value: Buffer } | { readonly type: 'del'; readonly key: string };

/** Keys in [gte, lt), ascending unless `reverse`, at most `limit`. */
export interface KvRange {
  readonly gte: string;
  readonly lt: string;
  readonly reverse?: boolean;
  readonly limit?: number;
}

export interface Kv {
  /** Applies every op atomically; with `sync`, durable (fsynced with everything written before) once resolved. */
  batch(ops: readonly KvOp[], sync: boolean): Promise<void>;
  getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>>;
  entries(range: KvRange): AsyncIterable<readonly [string, Buffer]>;
  keys(range: KvRange): AsyncIterable<string>;
}

export type LevelDb = Level<string, Buffer>;

/** classic-level's private batch: ops as the native binding reads them (type, key, value). */
interface NativeBatch {
  _batch(ops: readonly KvOp[], options: { sync: boolean }): Promise<void>;
}

/** LevelDB through classic-level. */
export class LevelKv implements Kv {
  constructor(readonly db: LevelDb) {}

  /**
   * Straight to classic-level's native batch (its `_batch`, what
   * abstract-level's public batch() ends in): the public path clones,
   * validates and transcodes every op in JS, which profiling showed to be
   * the largest single cost of a node writing many small batches (128
   * shards). Our ops are already what the binding takes (string keys,
   * Buffer values), and the store writes only while the database is open.
   */
  batch(ops: readonly KvOp[], sync: boolean): Promise<void> {
    if (this.db.status !== 'open') return Promise.reject(new Error(`LevelDB is ${this.db.status}, not open`));
    return (this.db as unknown as NativeBatch)._batch(ops, { sync });
  }

  getMany(keys: readonly string[]): Promise<Array<Buffer | undefined>> {
    return this.db.getMany(keys as string[]);
  }

  entries(range: KvRange): AsyncIterable<readonly [string, Buffer]> {
    return this.db.iterator({ ...levelRange(range), fillCache: false });
  }

  keys(range: KvRange): AsyncIterable<string> {
    return this.db.keys(levelRange(range));
  }
}

function levelRange(r: KvRange): { gte: string; lt: string; reverse: boolean; limit: number } {
  return { gte: r.gte, lt: r.lt, reverse: r.reverse ?? false, limit: r.limit ?? -1 };
}

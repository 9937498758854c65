/**
 * The on-disk log of one shard replica, inside the node's single LevelDB.
 * It owns the keys of one shard; the replica driver is its only writer.
 *
 * Key layout (UTF-8 keys; <ref> = <streamId>/<shardId>; <hex16> = a u64 as
 * 16 lower-case hex digits, so byte order = numeric order):
 *
 *   b!<ref>!<hex16 firstOffset>                  one encoded record batch
 *                                                (core/src/record-batch.ts), the
 *                                                exact bytes the leader encoded
 *   t!<ref>!<hex16 lastArrivalMs>!<hex16 first>  empty value: time index, one per
 *                                                batch (arrivals never decrease, so
 *                                                the first key >= ts finds the batch
 *                                                holding the first record >= ts)
 *   h!<ref>                                      8 bytes: high watermark (u64 BE),
 *                                                rewritten with every batch write
 *   m!<ref>                                      JSON ShardLogMeta, rewritten only
 *                                                when the epoch or epoch cache change
 *
 * The log end is not stored: on open it is the end of the last batch.
 * Truncation (a follower removing a divergent suffix) deletes whole batches
 * from the end, with their time-index keys, in one write together with the
 * new state; it never splits a batch (the caller gets the batch start).
 * Every batch write is one LevelDB write batch (atomic), without fsync unless
 * `sync` is set (durability comes from the replicas; see docs/contracts.md).
 * A batch that fails its CRC when read throws CorruptionError: the node
 * stops, and its integrity check at the next start (node-db.ts) discards
 * the database and rebuilds it from the leaders; corrupt bytes are never
 * served or replicated.
 */
import type { Level } from 'level';
import { RecordBatch, type BatchRecord, type EpochEntry, type ReplicaPersistedState } from '@shoal/core';
import { CorruptionError } from './db-integrity';

export interface ShardRef {
  readonly streamId: string;
  readonly shardId: string;
}

/** What the m! key holds. */
interface ShardLogMeta {
  readonly epoch: number;
  readonly logStartOffset: number;
  readonly epochCache: readonly EpochEntry[];
}

export type NodeDb = Level<string, Buffer>;

const SEP = '!';
const HW_BYTES = 8;
const U32 = 0x1_0000_0000;

export function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function refKey(ref: ShardRef): string {
  return `${ref.streamId}/${ref.shardId}`;
}

function encodeU64(n: number): Buffer {
  const b = Buffer.allocUnsafe(HW_BYTES);
  b.writeUInt32BE(Math.floor(n / U32), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

function decodeU64(b: Buffer): number {
  return b.readUInt32BE(0) * U32 + b.readUInt32BE(4);
}

/** Records read from a log, and the bytes of their data + keys. */
export interface ReadResult {
  readonly records: BatchRecord[];
  readonly bytes: number;
}

export class ShardLog {
  private readonly ref: string;
  private metaJson = '';

  constructor(private readonly db: NodeDb, readonly shard: ShardRef, private readonly sync: boolean, private readonly afterWrite: () => void = () => {}) {
    this.ref = refKey(shard);
  }

  private batchKey(firstOffset: number): string { return `b${SEP}${this.ref}${SEP}${hex16(firstOffset)}`; }
  private timeKey(lastArrivalMs: number, firstOffset: number): string { return `t${SEP}${this.ref}${SEP}${hex16(lastArrivalMs)}${SEP}${hex16(firstOffset)}`; }
  private hwKey(): string { return `h${SEP}${this.ref}`; }
  private metaKey(): string { return `m${SEP}${this.ref}`; }

  /** Loads the persisted replica state (a fresh log if none), and the last arrival time. */
  async load(): Promise<{ state: ReplicaPersistedState; lastArrivalMs: number }> {
    const [metaBuf, hwBuf] = await this.db.getMany([this.metaKey(), this.hwKey()]);
    const meta: ShardLogMeta = metaBuf ? JSON.parse(metaBuf.toString('utf8')) as ShardLogMeta : { epoch: 0, logStartOffset: 0, epochCache: [] };
    this.metaJson = metaBuf ? metaBuf.toString('utf8') : '';
    let logEnd = meta.logStartOffset;
    let lastArrivalMs = 0;
    for await (const value of this.db.values({ gte: this.batchKey(0), lte: this.batchKey(Number.MAX_SAFE_INTEGER), reverse: true, limit: 1 })) {
      const batch = RecordBatch.parse(value, true);
      if (typeof batch === 'string') throw new CorruptionError(`shard ${this.ref}: last batch is corrupt: ${batch}`);
      logEnd = batch.endOffset;
      lastArrivalMs = batch.header.lastArrivalMs;
    }
    const hw = hwBuf ? decodeU64(hwBuf) : meta.logStartOffset;
    return { state: { epoch: meta.epoch, logStartOffset: meta.logStartOffset, logEndOffset: logEnd, highWatermark: Math.min(hw, logEnd), epochCache: meta.epochCache }, lastArrivalMs };
  }

  /**
   * Appends batches (already validated to extend the log) and the new hw in
   * one atomic write; rewrites the meta key only if it changed.
   */
  async append(batches: readonly RecordBatch[], state: ReplicaPersistedState): Promise<void> {
    type Op = { type: 'put'; key: string; value: Buffer };
    const ops: Op[] = [];
    for (const b of batches) {
      ops.push({ type: 'put', key: this.batchKey(b.firstOffset), value: b.bytes });
      ops.push({ type: 'put', key: this.timeKey(b.header.lastArrivalMs, b.firstOffset), value: Buffer.alloc(0) });
    }
    ops.push({ type: 'put', key: this.hwKey(), value: encodeU64(state.highWatermark) });
    const metaJson = JSON.stringify({ epoch: state.epoch, logStartOffset: state.logStartOffset, epochCache: state.epochCache } satisfies ShardLogMeta);
    if (metaJson !== this.metaJson) ops.push({ type: 'put', key: this.metaKey(), value: Buffer.from(metaJson, 'utf8') });
    await this.db.batch(ops, { sync: this.sync });
    this.afterWrite();
    this.metaJson = metaJson;
  }

  /**
   * Removes every batch that does not end at or before `offset` (a batch
   * straddling it goes whole), with its time-index key, and writes `state`
   * (whose log end the caller sets from the result) in the same atomic
   * write. Returns the new log end (<= offset) and the last arrival time.
   */
  async truncate(offset: number, state: (logEnd: number) => ReplicaPersistedState): Promise<{ logEnd: number; lastArrivalMs: number }> {
    type Op = { type: 'del'; key: string } | { type: 'put'; key: string; value: Buffer };
    const ops: Op[] = [];
    const start = (await this.batchStartAt(offset)) ?? offset;
    let logEnd = offset;
    for await (const value of this.db.values({ gte: this.batchKey(Math.min(start, offset)), lte: this.batchKey(Number.MAX_SAFE_INTEGER) })) {
      const batch = RecordBatch.parse(value, false);
      if (typeof batch === 'string') throw new CorruptionError(`shard ${this.ref}: corrupt batch on disk: ${batch}`);
      if (batch.endOffset <= offset) continue;
      logEnd = Math.min(logEnd, batch.firstOffset);
      ops.push({ type: 'del', key: this.batchKey(batch.firstOffset) });
      ops.push({ type: 'del', key: this.timeKey(batch.header.lastArrivalMs, batch.firstOffset) });
    }
    let lastArrivalMs = 0;
    for await (const value of this.db.values({ gte: this.batchKey(0), lt: this.batchKey(logEnd), reverse: true, limit: 1 })) {
      const batch = RecordBatch.parse(value, false);
      if (typeof batch !== 'string') lastArrivalMs = batch.header.lastArrivalMs;
    }
    const s = state(logEnd);
    const metaJson = JSON.stringify({ epoch: s.epoch, logStartOffset: s.logStartOffset, epochCache: s.epochCache } satisfies ShardLogMeta);
    ops.push({ type: 'put', key: this.hwKey(), value: encodeU64(s.highWatermark) });
    ops.push({ type: 'put', key: this.metaKey(), value: Buffer.from(metaJson, 'utf8') });
    await this.db.batch(ops, { sync: this.sync });
    this.afterWrite();
    this.metaJson = metaJson;
    return { logEnd, lastArrivalMs };
  }

  /** Persists replica state alone (epoch changes without data). */
  async saveState(state: ReplicaPersistedState): Promise<void> {
    await this.append([], state);
  }

  /**
   * Batches covering offsets [from, end), in order, up to about `maxBytes`
   * (always at least one batch if any covers `from`). CRC-checked.
   */
  async batchesFrom(from: number, end: number, maxBytes: number): Promise<RecordBatch[]> {
    const out: RecordBatch[] = [];
    if (from >= end) return out;
    const start = await this.batchStartAt(from);
    if (start === undefined) return out;
    let bytes = 0;
    for await (const value of this.db.values({ gte: this.batchKey(start), lt: this.batchKey(end) })) {
      const batch = RecordBatch.parse(value, true);
      if (typeof batch === 'string') throw new CorruptionError(`shard ${this.ref}: corrupt batch on disk: ${batch}`);
      out.push(batch);
      bytes += value.length;
      if (bytes >= maxBytes) break;
    }
    return out;
  }

  /** First offset of the batch holding `offset`, if any. */
  private async batchStartAt(offset: number): Promise<number | undefined> {
    for await (const key of this.db.keys({ gte: this.batchKey(0), lte: this.batchKey(offset), reverse: true, limit: 1 })) {
      return parseInt(key.slice(key.lastIndexOf(SEP) + 1), 16);
    }
    return undefined;
  }

  /** First offset whose record arrived at or after `timestampMs`, or undefined if none below `end`. */
  async offsetAtTime(timestampMs: number, end: number): Promise<number | undefined> {
    const gte = this.timeKey(Math.max(0, Math.floor(timestampMs)), 0);
    const lt = `t${SEP}${this.ref}${SEP}~`;
    for await (const key of this.db.keys({ gte, lt, limit: 1 })) {
      const first = parseInt(key.slice(key.lastIndexOf(SEP) + 1), 16);
      const [batch] = await this.batchesFrom(first, end, 1);
      if (!batch) return undefined;
      for (const r of batch.records()) if (r.arrivalMs >= timestampMs && r.offset < end) return r.offset;
      return undefined;
    }
    return undefined;
  }

  /** Deletes every key of this shard (its replica was removed from this node). */
  async destroy(): Promise<void> {
    for (const prefix of ['b', 't']) {
      await this.db.clear({ gte: `${prefix}${SEP}${this.ref}${SEP}`, lt: `${prefix}${SEP}${this.ref}${SEP}~` });
    }
    await this.db.batch([{ type: 'del', key: this.hwKey() }, { type: 'del', key: this.metaKey() }], { sync: this.sync });
  }
}

/** Every shard that has state in this database (for garbage collection on start). */
export async function listStoredShards(db: NodeDb): Promise<ShardRef[]> {
  const out: ShardRef[] = [];
  for await (const key of db.keys({ gte: `m${SEP}`, lt: `m${SEP}~` })) {
    const ref = key.slice(2);
    const slash = ref.lastIndexOf('/');
    out.push({ streamId: ref.slice(0, slash), shardId: ref.slice(slash + 1) });
  }
  return out;
}

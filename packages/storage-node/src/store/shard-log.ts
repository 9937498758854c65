/**
 * The log of one shard replica in the node's store (node-store.ts; keys in
 * key-layout.ts): loading its state, reading batches by offset or arrival
 * time, and the removals (truncating a divergent suffix, trimming by
 * retention, deleting the replica). Appends go through NodeStore.write,
 * with every other shard's, once per driver step.
 *
 * Reads check each batch's CRC and that it is the batch the index names;
 * a failure throws CorruptionError (the node stops and rebuilds; corrupt
 * bytes are never served or replicated).
 */
import { RecordBatch, type ReplicaPersistedState } from '@shoal/core';
import type { ShardRef } from '../shard-reader';
import { CorruptionError } from './corruption';
import { data, decodeLocation, decodeMeta, decodeU64, encodeMeta, encodeU64, index, refOf, type BatchLocation, type ShardMeta } from './key-layout';
import type { KvOp } from './kv';
import type { NodeStore } from './node-store';

/** Index entries read per round when walking a shard's batches for a removal. */
const REMOVAL_CHUNK_BATCHES = 4_096;
/** Data keys fetched per getMany when reading batches. */
const READ_CHUNK_BATCHES = 256;

/** One batch as the index describes it. */
export interface IndexedBatch extends BatchLocation {
  readonly firstOffset: number;
}

export class ShardLog {
  readonly ref: string;
  /** The meta JSON last written (writes skip an unchanged one); NodeStore keeps it current. */
  storedMeta = '';
  /** The high watermark last written, and when (NodeStore stores it at most every HW_STORE_INTERVAL_MS while batches flow). */
  storedHw = -1;
  hwStoredAtMs = Number.NEGATIVE_INFINITY;
  /** The second (arrival ms / 1000) of the last batch given a time-index key (undefined: the next one gets one). */
  timeIndexedSecond: number | undefined;
  /**
   * The last arrival of the log's first batch, as expiredEnd last read it
   * when nothing had expired (undefined: not known). Until retention's
   * cutoff passes it nothing can expire, so expiredEnd answers without
   * reading the store; a truncation, trim or reset forgets it (the first
   * batch may then be another one; a destroyed log has none to expire).
   */
  private firstBatchArrivalMs: number | undefined;

  constructor(private readonly store: NodeStore, readonly shard: ShardRef) {
    this.ref = refOf(shard);
  }

  /** Whether `state` would store the meta last stored (epoch, log start, epoch cache), without encoding it. */
  metaUnchanged(state: ReplicaPersistedState): boolean {
    const m = this.storedState;
    if (!m || m.epoch !== state.epoch || m.logStartOffset !== state.logStartOffset || m.epochCache.length !== state.epochCache.length) return false;
    for (let i = 0; i < m.epochCache.length; i++) {
      if (m.epochCache[i]!.epoch !== state.epochCache[i]!.epoch || m.epochCache[i]!.startOffset !== state.epochCache[i]!.startOffset) return false;
    }
    return true;
  }

  /** The meta (as state) last stored, for metaUnchanged; NodeStore and removals keep it current. */
  storedState: ReplicaPersistedState | undefined;

  /** Loads the persisted replica state (a fresh log if none) and the last arrival time. */
  async load(): Promise<{ state: ReplicaPersistedState; lastArrivalMs: number }> {
    const [metaBuf, hwBuf] = await this.store.index.getMany([index.metaKey(this.ref), index.hwKey(this.ref)]);
    const meta: ShardMeta = metaBuf ? decodeMeta(metaBuf) ?? corrupt(`shard ${this.ref}: meta does not decode`) : { epoch: 0, logStartOffset: 0, epochCache: [] };
    this.storedMeta = metaBuf ? encodeMeta(meta) : '';
    const last = await this.lastBatch();
    const logEnd = last ? last.firstOffset + last.count : meta.logStartOffset;
    const hw = hwBuf ? decodeU64(hwBuf) : meta.logStartOffset;
    // Epochs that start at or past the log end wrote nothing that is here (the store check may have removed a lost tail).
    const epochCache = meta.epochCache.filter((e) => e.startOffset < logEnd);
    const state = { epoch: meta.epoch, logStartOffset: meta.logStartOffset, logEndOffset: logEnd, highWatermark: Math.min(hw, logEnd), epochCache };
    // What the stored meta says (its epoch cache as stored, before dropping entries past the log end).
    this.storedState = metaBuf ? { ...state, epochCache: meta.epochCache } : undefined;
    return { state, lastArrivalMs: last?.lastArrivalMs ?? 0 };
  }

  /**
   * Batches covering offsets [from, end), in order, up to about `maxBytes`
   * (at least one batch if any covers `from`). CRC-checked.
   */
  async batchesFrom(from: number, end: number, maxBytes: number): Promise<RecordBatch[]> {
    if (from >= end) return [];
    const start = await this.batchAt(from);
    if (!start) return [];
    const picked: IndexedBatch[] = [];
    let bytes = 0;
    for await (const b of this.indexed(start.firstOffset, end)) {
      picked.push(b);
      bytes += b.bytes;
      if (bytes >= maxBytes) break;
    }
    return this.fetch(picked);
  }

  /**
   * First offset whose record arrived at or after `timestampMs`, or
   * undefined if none below `end`. The time index is sparse (one key per
   * second of arrival): the last key before the time names a batch that
   * ends before it, and the answer lies in the batches after it, within
   * about a second of them, found by their index entries' last arrivals.
   */
  async offsetAtTime(timestampMs: number, end: number): Promise<number | undefined> {
    const ts = Math.max(0, Math.floor(timestampMs));
    let from = 0;
    for await (const key of this.store.index.keys({ ...index.timesBefore(this.ref, ts), reverse: true, limit: 1 })) from = index.offsetOf(key);
    for await (const b of this.indexed(from, end)) {
      if (b.lastArrivalMs < timestampMs) continue;
      const [batch] = await this.batchesFrom(b.firstOffset, end, 1);
      if (!batch) return undefined;
      for (const r of batch.records()) if (r.arrivalMs >= timestampMs && r.offset < end) return r.offset;
      return undefined;
    }
    return undefined;
  }

  /**
   * Removes every batch that does not end at or before `offset` (a batch
   * straddling it goes whole) and writes `state` (whose log end the caller
   * sets from the result) with the index change. Returns the new log end
   * (<= offset) and the last arrival time.
   */
  async truncate(offset: number, state: (logEnd: number) => ReplicaPersistedState): Promise<{ logEnd: number; lastArrivalMs: number }> {
    const start = await this.batchAt(offset);
    const from = start && start.firstOffset + start.count > offset ? start.firstOffset : offset;
    const removed = await this.collect(from, Number.MAX_SAFE_INTEGER);
    const logEnd = Math.min(offset, from);
    const s = state(logEnd);
    await this.removeBatches(removed, s);
    const last = await this.lastBatch();
    return { logEnd, lastArrivalMs: last?.lastArrivalMs ?? 0 };
  }

  /**
   * Retention: removes the batches that end at or before `offset` (whole
   * batches only) and writes `state` (its log start = the result). Returns
   * the new log start.
   */
  async trimBefore(offset: number, state: (logStart: number) => ReplicaPersistedState): Promise<number> {
    const doomed = (await this.collect(0, offset)).filter((b) => b.firstOffset + b.count <= offset);
    if (doomed.length === 0) return (await this.load()).state.logStartOffset;
    const last = doomed[doomed.length - 1]!;
    const logStart = last.firstOffset + last.count;
    await this.removeBatches(doomed, state(logStart));
    return logStart;
  }

  /** Removes every batch and writes `state` (a follower whose whole log lies below its leader's log start). */
  async reset(state: ReplicaPersistedState): Promise<void> {
    await this.removeBatches(await this.collect(0, Number.MAX_SAFE_INTEGER), state);
  }

  /** The end of the batches whose last record arrived before `beforeMs` and that end at or before `end`: what retention may remove. */
  async expiredEnd(beforeMs: number, end: number): Promise<number | undefined> {
    // The node's retention pass asks every replica each minute: without this, one index read per replica, all in one step.
    if (this.firstBatchArrivalMs !== undefined && beforeMs <= this.firstBatchArrivalMs) return undefined;
    let out: number | undefined;
    let first = true;
    for await (const b of this.indexed(0, end)) {
      if (first && b.lastArrivalMs >= beforeMs) this.firstBatchArrivalMs = b.lastArrivalMs;
      first = false;
      if (b.lastArrivalMs >= beforeMs || b.firstOffset + b.count > end) break;
      out = b.firstOffset + b.count;
    }
    return out;
  }

  /** Deletes everything of this shard (its replica was removed from this node). */
  async destroy(): Promise<void> {
    // Each scan starts past what the previous chunk removed, and a chunk that is not full was the last: LevelDB's
    // iterators step over deleted entries one by one, so scanning again from 0 would walk every tombstone just
    // written (and those of shards removed before, next in key order), which made removing a big stream take
    // seconds per shard.
    for (let from = 0; ;) {
      const chunk: IndexedBatch[] = [];
      for await (const b of this.indexed(from, Number.MAX_SAFE_INTEGER)) {
        chunk.push(b);
        if (chunk.length >= REMOVAL_CHUNK_BATCHES) break;
      }
      const done = chunk.length < REMOVAL_CHUNK_BATCHES;
      // The last chunk takes the shard's state with it (one write fewer per replica).
      const state: KvOp[] = done ? [{ type: 'del', key: index.hwKey(this.ref) }, { type: 'del', key: index.metaKey(this.ref) }] : [];
      await this.store.remove([...chunk.flatMap((b) => this.keysOf(b)), ...state], chunk.map((b) => b.seq));
      if (done) break;
      const last = chunk[chunk.length - 1]!;
      from = last.firstOffset + last.count;
    }
  }

  // ---- helpers ---------------------------------------------------------------

  private async removeBatches(batches: readonly IndexedBatch[], state: ReplicaPersistedState): Promise<void> {
    const meta = encodeMeta(state);
    const ops: KvOp[] = batches.flatMap((b) => this.keysOf(b));
    ops.push({ type: 'put', key: index.hwKey(this.ref), value: encodeU64(state.highWatermark) });
    ops.push({ type: 'put', key: index.metaKey(this.ref), value: Buffer.from(meta, 'utf8') });
    await this.store.remove(ops, batches.map((b) => b.seq));
    // Once the removal is done (a read while it was in flight saw the batches it removed).
    this.firstBatchArrivalMs = undefined;
    this.storedMeta = meta;
    this.storedState = state;
    this.storedHw = state.highWatermark;
    this.timeIndexedSecond = undefined;
  }

  /** A batch's index entry and its time-index key (there may be none: deleting a missing key is a no-op). */
  private keysOf(b: IndexedBatch): KvOp[] {
    return [{ type: 'del', key: index.batchKey(this.ref, b.firstOffset) }, { type: 'del', key: index.timeKey(this.ref, b.lastArrivalMs, b.firstOffset) }];
  }

  private async collect(from: number, to: number): Promise<IndexedBatch[]> {
    const out: IndexedBatch[] = [];
    for await (const b of this.indexed(from, to)) out.push(b);
    return out;
  }

  /** Index entries of batches starting in [from, to), in order. */
  private async *indexed(from: number, to: number): AsyncIterable<IndexedBatch> {
    for await (const [key, value] of this.store.index.entries(index.batches(this.ref, from, to))) {
      const loc = decodeLocation(value) ?? corrupt(`shard ${this.ref}: index entry ${key} does not decode`);
      yield { ...loc, firstOffset: index.offsetOf(key) };
    }
  }

  /** The batch holding `offset` or, if none does, the last one before it. */
  private async batchAt(offset: number): Promise<IndexedBatch | undefined> {
    for await (const [key, value] of this.store.index.entries({ ...index.batches(this.ref, 0, offset + 1), reverse: true, limit: 1 })) {
      const loc = decodeLocation(value) ?? corrupt(`shard ${this.ref}: index entry ${key} does not decode`);
      return { ...loc, firstOffset: index.offsetOf(key) };
    }
    return undefined;
  }

  private async lastBatch(): Promise<IndexedBatch | undefined> {
    return this.batchAt(Number.MAX_SAFE_INTEGER - 1);
  }

  /**
   * The record batches of index entries, CRC-checked against what the index
   * says. A batch whose data is missing because a removal (truncation,
   * retention, deletion) ran meanwhile ends the result there: removals
   * take the index entry first, so it is gone too. Data missing under an
   * index entry that is still there is corruption.
   */
  private async fetch(picked: readonly IndexedBatch[]): Promise<RecordBatch[]> {
    const out: RecordBatch[] = [];
    for (let i = 0; i < picked.length; i += READ_CHUNK_BATCHES) {
      const chunk = picked.slice(i, i + READ_CHUNK_BATCHES);
      const values = await this.store.data.getMany(chunk.map((b) => data.key(b.seq)));
      for (let j = 0; j < chunk.length; j++) {
        const b = chunk[j]!;
        const value = values[j];
        if (!value) {
          const [still] = await this.store.index.getMany([index.batchKey(this.ref, b.firstOffset)]);
          if (still) corrupt(`shard ${this.ref}: batch at ${b.firstOffset} names data ${b.seq}, which is missing`);
          return out;
        }
        const batch = RecordBatch.parse(value, true);
        if (typeof batch === 'string') corrupt(`shard ${this.ref}: corrupt batch at ${b.firstOffset}: ${batch}`);
        if (batch.firstOffset !== b.firstOffset || batch.count !== b.count) corrupt(`shard ${this.ref}: data ${b.seq} holds ${batch.firstOffset}+${batch.count}, not ${b.firstOffset}+${b.count}`);
        out.push(batch);
      }
    }
    return out;
  }
}

function corrupt(message: string): never {
  throw new CorruptionError(message);
}

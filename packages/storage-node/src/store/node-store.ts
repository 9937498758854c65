/**
 * The storage layer of a node: every shard replica's log in the two
 * LevelDB instances of key-layout.ts (record batches in `data`, index and
 * replica state in `index`), reached through the Kv port (kv.ts). The node
 * driver is its only writer.
 *
 * A node-wide write (write()) carries every shard's new batches and state
 * of one driver step: ONE batch to `data` (each record batch under the
 * next node-wide seq) and ONE to `index` (batch locations, a time-index key
 * per second of arrival, high watermarks now and then, changed metas, the
 * highest seq), issued together, each
 * atomic, each fsynced when `sync` is set. The two are not atomic together;
 * recovery at open (store-check.ts) repairs what a cut between them leaves:
 * index entries whose data never reached the disk are a lost tail (as if
 * the write had not happened; nothing in it was acknowledged, since
 * acknowledgements wait for both), data no index entry names is deleted.
 * Removals (truncation, retention, replica deletion) write the index first,
 * then delete the data, so the index never names missing data.
 *
 * Durability: without `sync` a write is in the OS page cache when it
 * resolves (survives a process crash, not a power cut; wal-sync.ts bounds
 * what a power cut takes); with `sync` it is on disk.
 */
import type { ReplicaPersistedState, RecordBatch } from '@shoal/core';
import type { ShardRef } from '../shard-reader';
import { FORMAT_VERSION, data, decodeU64, encodeLocation, encodeMeta, encodeU64, index, type ShardMeta } from './key-layout';
import type { Kv, KvOp } from './kv';
import { ShardLog } from './shard-log';

/** One shard's part of a node-wide write: batches that extend its log (in order) and its state after them. */
export interface ShardWrite {
  readonly log: ShardLog;
  readonly batches: readonly RecordBatch[];
  readonly state: ReplicaPersistedState;
}

const EMPTY = Buffer.alloc(0);
const MS_PER_SECOND = 1_000;
/** While batches flow, a shard's high watermark is stored at most this often (it only spares a restarted replica a short wait). */
export const HW_STORE_INTERVAL_MS = 1_000;

export class NodeStore {
  /** The format key goes with the first write. */
  private formatWritten = false;

  private constructor(
    readonly index: Kv, readonly data: Kv, readonly sync: boolean, private nextSeq: number, private readonly afterWrite: () => void, private readonly clock: () => number,
  ) {}

  /**
   * Opens the store over checked instances (store-check.ts ran first); finds the next data seq. Reads only.
   * `clock`: monotonic ms, for how often a shard's high watermark is stored.
   */
  static async open(indexKv: Kv, dataKv: Kv, sync: boolean, afterWrite: () => void = () => undefined, clock: () => number = () => performance.now()): Promise<NodeStore> {
    const [seqBuf] = await indexKv.getMany([index.seqKey]);
    let last = seqBuf ? decodeU64(seqBuf) : -1;
    for await (const key of dataKv.keys({ ...data.all, reverse: true, limit: 1 })) last = Math.max(last, data.parse(key) ?? -1);
    return new NodeStore(indexKv, dataKv, sync, last + 1, afterWrite, clock);
  }

  /** The log of one shard (state loaded by ShardLog.load). */
  shard(ref: ShardRef): ShardLog {
    return new ShardLog(this, ref);
  }

  /** Every shard with state in the store. */
  async listShards(): Promise<ShardRef[]> {
    const out: ShardRef[] = [];
    for await (const key of this.index.keys(index.metas)) out.push(index.refOfMetaKey(key));
    return out;
  }

  /**
   * Appends each shard's batches and writes its state: one batch per
   * instance for all of them. Each ShardWrite's batches must extend its log.
   */
  async write(writes: readonly ShardWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const dataOps: KvOp[] = [];
    const indexOps: KvOp[] = [];
    const metas: string[] = [];
    const nowMs = this.clock();
    let lastSeq = -1;
    for (const w of writes) {
      const ref = w.log.ref;
      for (const b of w.batches) {
        const seq = this.nextSeq++;
        lastSeq = seq;
        dataOps.push({ type: 'put', key: data.key(seq), value: b.bytes });
        indexOps.push({
          type: 'put', key: index.batchKey(ref, b.firstOffset),
          value: encodeLocation({ seq, bytes: b.bytes.length, count: b.count, lastArrivalMs: b.header.lastArrivalMs }),
        });
        // The time index is sparse: the first batch of each second of arrival.
        const second = Math.floor(b.header.lastArrivalMs / MS_PER_SECOND);
        if (second !== w.log.timeIndexedSecond) {
          indexOps.push({ type: 'put', key: index.timeKey(ref, b.header.lastArrivalMs, b.firstOffset), value: EMPTY });
          w.log.timeIndexedSecond = second;
        }
      }
      // The meta changes only with the epoch, the log start or the epoch cache: encode it only then.
      const meta = w.log.metaUnchanged(w.state) ? w.log.storedMeta : encodeMeta(metaOf(w.state));
      metas.push(meta);
      // The stored hw only spares a restarted replica the wait to learn it again: while batches flow it
      // is stored every HW_STORE_INTERVAL_MS at most; a write without batches (open, close, new epoch) stores it.
      const hw = w.state.highWatermark;
      if (hw !== w.log.storedHw && (w.batches.length === 0 || nowMs - w.log.hwStoredAtMs >= HW_STORE_INTERVAL_MS)) {
        indexOps.push({ type: 'put', key: index.hwKey(ref), value: encodeU64(hw) });
        w.log.storedHw = hw;
        w.log.hwStoredAtMs = nowMs;
      }
      if (meta !== w.log.storedMeta) indexOps.push({ type: 'put', key: index.metaKey(ref), value: Buffer.from(meta, 'utf8') });
    }
    if (lastSeq >= 0) indexOps.push({ type: 'put', key: index.seqKey, value: encodeU64(lastSeq) });
    if (!this.formatWritten) indexOps.push({ type: 'put', key: index.formatKey, value: Buffer.from(FORMAT_VERSION, 'utf8') });
    await Promise.all([dataOps.length > 0 ? this.data.batch(dataOps, this.sync) : undefined, this.index.batch(indexOps, this.sync)]);
    writes.forEach((w, i) => { w.log.storedMeta = metas[i]!; w.log.storedState = w.state; });
    this.formatWritten = true;
    this.afterWrite();
  }

  /**
   * Removes index entries (and writes state) first, then the data they
   * named: the index never names missing data. The data delete is not
   * synced even with `sync`: one that a power cut loses leaves data no index
   * entry names, which the store check deletes at the next start
   * (store-check.ts), and an fsync per removal made removing a big stream
   * hold up every other write of the node (opening the next stream's
   * replicas among them) for seconds.
   */
  async remove(indexOps: readonly KvOp[], seqs: readonly number[]): Promise<void> {
    if (indexOps.length > 0) await this.index.batch(indexOps, this.sync);
    if (seqs.length > 0) await this.data.batch(seqs.map((s) => ({ type: 'del', key: data.key(s) })), false);
    this.afterWrite();
  }
}

function metaOf(state: ReplicaPersistedState): ShardMeta {
  return { epoch: state.epoch, logStartOffset: state.logStartOffset, epochCache: state.epochCache };
}

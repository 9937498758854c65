/**
 * The check and repair of a node's store at start, before any replica
 * opens (node-db.ts runs it). It reads every key and every batch:
 *
 * Repairs (what a crash or a power cut legitimately leaves, key-layout.ts):
 * - data above the highest seq the index names (`n!seq`): its index write
 *   never reached the disk; deleted.
 * - index entries naming a seq above the last data key: their data write
 *   never reached the disk (the two instances are written together, not
 *   atomically). Such entries must be the tail of their shard; they are
 *   removed (with their time-index keys), and a high watermark beyond the
 *   shorter log is lowered to its end. Nothing removed was acknowledged.
 * - data no index entry names (a removal cut between its index write and
 *   its data delete): deleted.
 *
 * Problems (corruption: the node discards the store and rebuilds): a key
 * of no known shape; an index entry that does not decode; a batch that
 * fails its CRC or is not the batch its entry describes; a missing batch
 * below the last data key; a hole in a shard's offsets; a time-index key
 * that names no batch (the index is sparse: not every batch has one); a
 * meta or hw that does not decode; a
 * high watermark beyond the log end of a shard that lost no tail (a shard
 * with no batch at all may be a deletion cut short, which is not checked).
 *
 * Cost: one pass over the index, a CRC of every batch (random reads of
 * the data instance in chunks), one pass over the data keys: about a
 * second per GB on one core, once per process start.
 */
import { RecordBatch } from '@shoal/core';
import { data, decodeLocation, decodeMeta, decodeU64, encodeU64, index, parseIndexKey, type BatchLocation } from './key-layout';
import type { Kv, KvOp } from './kv';

/** Batches fetched from the data instance per getMany. */
const CHECK_CHUNK_BATCHES = 256;

export interface StoreCheck {
  /** The first corruption found (the store must be rebuilt), or undefined. */
  readonly problem: string | undefined;
  /** Index entries removed as a lost tail, and data keys removed as orphans. */
  readonly lostTailBatches: number;
  readonly orphanData: number;
}

interface ShardScan {
  logStart: number;
  logEnd: number | undefined;
  hw: number | undefined;
  lost: number;
}

export async function checkStore(indexKv: Kv, dataKv: Kv): Promise<StoreCheck> {
  try {
    return await check(indexKv, dataKv);
  } catch (err) {
    return { problem: `reading the store failed: ${(err as Error).message}`, lostTailBatches: 0, orphanData: 0 };
  }
}

async function check(indexKv: Kv, dataKv: Kv): Promise<StoreCheck> {
  const [seqBuf] = await indexKv.getMany([index.seqKey]);
  const namedSeq = seqBuf && seqBuf.length === 8 ? decodeU64(seqBuf) : -1;
  const dataOps: KvOp[] = [];
  for await (const key of dataKv.keys(data.above(namedSeq))) dataOps.push({ type: 'del', key });
  let lastData = -1;
  for await (const key of dataKv.keys({ gte: data.all.gte, lt: data.key(namedSeq + 1), reverse: true, limit: 1 })) lastData = data.parse(key) ?? -1;

  const shards = new Map<string, ShardScan>();
  const scanOf = (ref: string): ShardScan => {
    let s = shards.get(ref);
    if (!s) { s = { logStart: 0, logEnd: undefined, hw: undefined, lost: 0 }; shards.set(ref, s); }
    return s;
  };
  const indexOps: KvOp[] = [];
  const lostTimeKeys = new Set<string>();
  const referenced: number[] = [];
  let pending: Array<{ key: string; loc: BatchLocation; firstOffset: number }> = [];
  const verify = async (): Promise<string | undefined> => {
    const values = await dataKv.getMany(pending.map((p) => data.key(p.loc.seq)));
    for (let i = 0; i < pending.length; i++) {
      const { key, loc, firstOffset } = pending[i]!;
      const value = values[i];
      if (!value) return `batch ${key} names data ${loc.seq}, which is missing`;
      const batch = RecordBatch.parse(value, true);
      if (typeof batch === 'string') return `batch ${key}: ${batch}`;
      if (batch.firstOffset !== firstOffset || batch.count !== loc.count || batch.header.lastArrivalMs !== loc.lastArrivalMs || value.length !== loc.bytes) {
        return `batch ${key}: data ${loc.seq} holds ${batch.firstOffset}+${batch.count}, not what the index says`;
      }
    }
    pending = [];
    return undefined;
  };

  let timeKeys: Array<{ key: string; ref: string; lastArrivalMs: number; firstOffset: number }> = [];
  /** Each time-index key names a batch with that first offset and last arrival. */
  const verifyTimeKeys = async (): Promise<string | undefined> => {
    const locs = await indexKv.getMany(timeKeys.map((t) => index.batchKey(t.ref, t.firstOffset)));
    for (let i = 0; i < timeKeys.length; i++) {
      const loc = locs[i] ? decodeLocation(locs[i]!) : undefined;
      if (!loc || loc.lastArrivalMs !== timeKeys[i]!.lastArrivalMs) return `time-index key ${timeKeys[i]!.key} names no batch`;
    }
    timeKeys = [];
    return undefined;
  };
  for await (const [key, value] of indexKv.entries(index.all)) {
    const k = parseIndexKey(key);
    if (!k) return problem(`unexpected index key ${JSON.stringify(key.slice(0, 80))}`);
    if (k.kind === 'node') continue;
    const s = scanOf(k.ref);
    if (k.kind === 'batch') {
      const loc = decodeLocation(value);
      if (!loc || loc.count < 1) return problem(`index entry ${key} does not decode`);
      if (loc.seq > lastData) {
        s.lost++;
        indexOps.push({ type: 'del', key });
        lostTimeKeys.add(index.timeKey(k.ref, loc.lastArrivalMs, k.firstOffset));
        continue;
      }
      if (s.lost > 0) return problem(`shard ${k.ref}: batch at ${k.firstOffset} after batches whose data is missing`);
      if (s.logEnd !== undefined && k.firstOffset !== s.logEnd) return problem(`shard ${k.ref}: batch at ${k.firstOffset} after log end ${s.logEnd}`);
      s.logEnd = k.firstOffset + loc.count;
      referenced.push(loc.seq);
      pending.push({ key, loc, firstOffset: k.firstOffset });
      if (pending.length >= CHECK_CHUNK_BATCHES) {
        const p = await verify();
        if (p) return problem(p);
      }
    } else if (k.kind === 'time') {
      if (value.length !== 0) return problem(`time-index key ${key} has a value`);
      if (lostTimeKeys.has(key)) { indexOps.push({ type: 'del', key }); continue; }
      timeKeys.push({ key, ref: k.ref, lastArrivalMs: k.lastArrivalMs, firstOffset: k.firstOffset });
      if (timeKeys.length >= CHECK_CHUNK_BATCHES) {
        const p = await verifyTimeKeys();
        if (p) return problem(p);
      }
    } else if (k.kind === 'hw') {
      if (value.length !== 8) return problem(`high watermark of ${k.ref} has ${value.length} bytes`);
      s.hw = decodeU64(value);
    } else {
      const meta = decodeMeta(value);
      if (!meta) return problem(`meta of ${k.ref} does not decode`);
      s.logStart = meta.logStartOffset;
    }
  }
  if (pending.length > 0) {
    const p = await verify();
    if (p) return problem(p);
  }
  {
    const p = await verifyTimeKeys();
    if (p) return problem(p);
  }
  let lostTailBatches = 0;
  for (const [ref, s] of shards) {
    lostTailBatches += s.lost;
    // No batch at all: a replica deletion (ShardLog.destroy, batches first, state last) may have stopped half way.
    if (s.logEnd === undefined && s.lost === 0) continue;
    const logEnd = s.logEnd ?? s.logStart;
    if (s.hw !== undefined && s.hw > logEnd) {
      if (s.lost === 0) return problem(`shard ${ref}: high watermark ${s.hw} beyond log end ${logEnd}`);
      indexOps.push({ type: 'put', key: index.hwKey(ref), value: encodeU64(logEnd) });
    }
  }

  // Data no index entry names, below the last data key.
  referenced.sort((a, b) => a - b);
  let r = 0;
  for await (const key of dataKv.keys({ gte: data.all.gte, lt: data.key(lastData + 1) })) {
    const seq = data.parse(key);
    if (seq === undefined) return problem(`unexpected data key ${JSON.stringify(key.slice(0, 80))}`);
    while (r < referenced.length && referenced[r]! < seq) r++;
    if (referenced[r] !== seq) dataOps.push({ type: 'del', key });
  }
  if (indexOps.length > 0) await indexKv.batch(indexOps, true);
  if (dataOps.length > 0) await dataKv.batch(dataOps, true);
  return { problem: undefined, lostTailBatches, orphanData: dataOps.length };
}

function problem(p: string): StoreCheck {
  return { problem: p, lostTailBatches: 0, orphanData: 0 };
}

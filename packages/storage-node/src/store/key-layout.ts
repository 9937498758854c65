/**
 * The on-disk format of a storage node (format 2; docs/storage.md has the
 * byte-by-byte description and the measurements that chose it). This
 * module alone knows keys and value encodings; everything else asks it.
 *
 * Two LevelDB instances under DATA/leveldb:
 *
 *   data/   the record batches of every shard, in the order the node wrote
 *           them: key = <hex16 seq>, a node-wide sequence number that only
 *           grows, value = one encoded record batch (core record-batch.ts),
 *           the exact bytes the leader encoded. Keys only ever grow, so
 *           LevelDB flushes and moves tables without rewriting them.
 *   index/  small keys per shard (<ref> = <streamId>/<shardId>; <hex16> = a
 *           u64 as 16 lower-case hex digits, so byte order = numeric order):
 *             b!<ref>!<hex16 firstOffset>                 24 bytes: BatchLocation (u64 data seq, u32 batch
 *                                                         bytes, u32 record count, u64 last arrival ms)
 *             t!<ref>!<hex16 lastArrivalMs>!<hex16 first> empty: sparse time index, for the first
 *                                                         batch of each second of arrival (by its
 *                                                         last record) of the shard
 *             h!<ref>                                     u64 high watermark (stored at most every
 *                                                         HW_STORE_INTERVAL_MS while batches flow)
 *             m!<ref>                                     JSON ShardMeta (epoch, log start, epoch cache)
 *           and node-wide keys:
 *             n!format                                    "2"
 *             n!seq                                       u64 highest data seq the index refers to
 *
 * All integers big-endian. The log end of a shard is not stored: it is the
 * end of its last batch.
 */
import type { EpochEntry } from '@shoal/core';
import type { ShardRef } from '../shard-reader';

export const FORMAT_VERSION = '2';
const SEP = '!';
const U32 = 0x1_0000_0000;
const HEX16 = /^[0-9a-f]{16}$/;
/** Bytes of a batch index value: u64 seq, u32 length, u32 count, u64 last arrival. */
export const BATCH_LOCATION_BYTES = 24;
/** Bytes of a high-watermark or seq value. */
export const U64_BYTES = 8;
/** The largest offset or seq a key can name (keys are hex16 of JS numbers). */
const NUMBER_MAX = Number.MAX_SAFE_INTEGER;

/** What the m! key holds. */
export interface ShardMeta {
  readonly epoch: number;
  readonly logStartOffset: number;
  readonly epochCache: readonly EpochEntry[];
}

/** Where a batch's bytes are (its data key's seq, its length) and what the index needs of its header. */
export interface BatchLocation {
  readonly seq: number;
  readonly bytes: number;
  readonly count: number;
  readonly lastArrivalMs: number;
}

export function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function refOf(shard: ShardRef): string {
  return `${shard.streamId}/${shard.shardId}`;
}

export function encodeU64(n: number): Buffer {
  const b = Buffer.allocUnsafe(U64_BYTES);
  b.writeUInt32BE(Math.floor(n / U32), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

export function decodeU64(b: Buffer, at = 0): number {
  return b.readUInt32BE(at) * U32 + b.readUInt32BE(at + 4);
}

// ---- data instance -----------------------------------------------------------

export const data = {
  key: (seq: number): string => hex16(seq),
  /** The whole data key space, and the keys above `seq`. */
  all: { gte: hex16(0), lt: hex16(NUMBER_MAX + 1) },
  above: (seq: number) => ({ gte: hex16(seq + 1), lt: hex16(NUMBER_MAX + 1) }),
  /** The seq a data key names, or undefined for a key of another shape. */
  parse: (key: string): number | undefined => (HEX16.test(key) ? parseInt(key, 16) : undefined),
};

// ---- index instance ----------------------------------------------------------

export const index = {
  batchKey: (ref: string, firstOffset: number): string => `b${SEP}${ref}${SEP}${hex16(firstOffset)}`,
  timeKey: (ref: string, lastArrivalMs: number, firstOffset: number): string => `t${SEP}${ref}${SEP}${hex16(lastArrivalMs)}${SEP}${hex16(firstOffset)}`,
  hwKey: (ref: string): string => `h${SEP}${ref}`,
  metaKey: (ref: string): string => `m${SEP}${ref}`,
  formatKey: `n${SEP}format`,
  seqKey: `n${SEP}seq`,
  /** Batch keys of a shard from `from` (inclusive) to `to` (exclusive). */
  batches: (ref: string, from = 0, to = NUMBER_MAX + 1) => ({ gte: `b${SEP}${ref}${SEP}${hex16(from)}`, lt: `b${SEP}${ref}${SEP}${hex16(to)}` }),
  /** Time-index keys of a shard whose last arrival is before `beforeMs`. */
  timesBefore: (ref: string, beforeMs: number) => ({ gte: `t${SEP}${ref}${SEP}`, lt: `t${SEP}${ref}${SEP}${hex16(beforeMs)}${SEP}` }),
  /** Every m! key (one per shard with state). */
  metas: { gte: `m${SEP}`, lt: `m${SEP}~` },
  all: { gte: '', lt: '~' },
  /** First offset named by a b! or t! key (its last field). */
  offsetOf: (key: string): number => parseInt(key.slice(key.lastIndexOf(SEP) + 1), 16),
  /** A shard ref named by an m! key. */
  refOfMetaKey: (key: string): ShardRef => {
    const ref = key.slice(2);
    const slash = ref.lastIndexOf('/');
    return { streamId: ref.slice(0, slash), shardId: ref.slice(slash + 1) };
  },
};

export function encodeLocation(loc: BatchLocation): Buffer {
  const b = Buffer.allocUnsafe(BATCH_LOCATION_BYTES);
  b.writeUInt32BE(Math.floor(loc.seq / U32), 0);
  b.writeUInt32BE(loc.seq >>> 0, 4);
  b.writeUInt32BE(loc.bytes, 8);
  b.writeUInt32BE(loc.count, 12);
  b.writeUInt32BE(Math.floor(loc.lastArrivalMs / U32), 16);
  b.writeUInt32BE(loc.lastArrivalMs >>> 0, 20);
  return b;
}

export function decodeLocation(b: Buffer): BatchLocation | undefined {
  if (b.length !== BATCH_LOCATION_BYTES) return undefined;
  return { seq: decodeU64(b), bytes: b.readUInt32BE(8), count: b.readUInt32BE(12), lastArrivalMs: decodeU64(b, 16) };
}

export function encodeMeta(meta: ShardMeta): string {
  return JSON.stringify({ epoch: meta.epoch, logStartOffset: meta.logStartOffset, epochCache: meta.epochCache });
}

export function decodeMeta(b: Buffer): ShardMeta | undefined {
  try {
    const m = JSON.parse(b.toString('utf8')) as Partial<ShardMeta>;
    if (typeof m.epoch !== 'number' || typeof m.logStartOffset !== 'number' || !Array.isArray(m.epochCache)) return undefined;
    return { epoch: m.epoch, logStartOffset: m.logStartOffset, epochCache: m.epochCache };
  } catch {
    return undefined;
  }
}

/** A parsed index key: which shard and what. */
export type IndexKey =
  | { readonly kind: 'batch'; readonly ref: string; readonly firstOffset: number }
  | { readonly kind: 'time'; readonly ref: string; readonly lastArrivalMs: number; readonly firstOffset: number }
  | { readonly kind: 'hw' | 'meta'; readonly ref: string }
  | { readonly kind: 'node'; readonly name: string };

/** Splits an index key; undefined for a key of no known shape. */
export function parseIndexKey(key: string): IndexKey | undefined {
  const prefix = key.slice(0, 2);
  if (prefix === 'h!' || prefix === 'm!') return { kind: prefix === 'h!' ? 'hw' : 'meta', ref: key.slice(2) };
  if (prefix === 'n!') return { kind: 'node', name: key.slice(2) };
  if (prefix !== 'b!' && prefix !== 't!') return undefined;
  const parts = key.slice(2).split(SEP);
  const restCount = prefix === 'b!' ? 1 : 2;
  if (parts.length < 1 + restCount) return undefined;
  const rest = parts.slice(parts.length - restCount);
  if (!rest.every((r) => HEX16.test(r))) return undefined;
  const ref = parts.slice(0, parts.length - restCount).join(SEP);
  return prefix === 'b!'
    ? { kind: 'batch', ref, firstOffset: parseInt(rest[0]!, 16) }
    : { kind: 'time', ref, lastArrivalMs: parseInt(rest[0]!, 16), firstOffset: parseInt(rest[1]!, 16) };
}

/**
 * Integrity check of a node's LevelDB at start, before any replica opens:
 * finds corruption that would otherwise be served, replicated or silently
 * lost. Two sources (docs/replication.md, "Corruption"):
 *
 * - LevelDB's own recovery. classic-level opens LevelDB without
 *   paranoid_checks, so a write-ahead-log record that fails its checksum is
 *   DROPPED on open (with everything after it in its 32 KiB block), the
 *   survivors are written to a new table and the damaged log is deleted:
 *   the only trace is a "Corruption" line in LevelDB's info log (`LOG`,
 *   rotated at every open). A dropped record is a lost write batch, e.g.
 *   records this replica acknowledged, so such a line means corruption.
 *   An open that fails with LEVEL_CORRUPTION (manifest, table footer) too.
 * - A scan of every key (reads do not verify LevelDB block checksums
 *   either): each batch must parse with a valid record-batch CRC
 *   (core/src/record-batch.ts) under a key naming its first offset, the
 *   batches of a shard must be contiguous, every batch must have exactly
 *   its time-index key, meta and high-watermark values must decode, and
 *   the high watermark must not exceed the log end (both are written in
 *   one atomic LevelDB batch, so a larger one means a lost batch).
 *
 * Cost: one sequential read of the database and a CRC of every byte
 * (about 1 s per GB on one core), once per process start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordBatch, crc32 } from '@shoal/core';
import type { NodeDb } from './shard-log';
import { WAL_SYNC_KEY } from './wal-sync';

/** Thrown when a replica's stored data fails a check; the node must rebuild rather than serve it. */
export class CorruptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptionError';
  }
}

/** The lines of LevelDB's info log (of the open that just happened) that report corruption. */
export function corruptionInInfoLog(dbPath: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(dbPath, 'LOG'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => /corruption/i.test(line));
}

/** Whether an error from classic-level reports corruption (not an I/O error or a held lock). */
export function isLevelCorruption(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === 'LEVEL_CORRUPTION') return true;
  }
  return false;
}

interface ShardScan {
  logEnd: number | undefined;
  batches: number;
  timeKeys: number;
  /** XOR of crc32("<lastArrivalMs>:<firstOffset>") over batches, and over time-index keys: equal when they match one to one. */
  batchFold: number;
  timeFold: number;
  hw: number | undefined;
  logStart: number;
}

const HEX16 = /^[0-9a-f]{16}$/;

function fold(lastArrivalHex: string, firstHex: string): number {
  return crc32(Buffer.from(`${lastArrivalHex}:${firstHex}`, 'latin1'));
}

/** Splits `<p>!<ref>!<rest>` keys; undefined for a key of no known shape. */
function splitKey(key: string): { prefix: string; ref: string; rest: string[] } | undefined {
  const prefix = key.slice(0, 2);
  if (prefix === 'h!' || prefix === 'm!') return { prefix, ref: key.slice(2), rest: [] };
  if (prefix !== 'b!' && prefix !== 't!') return undefined;
  const parts = key.slice(2).split('!');
  const restCount = prefix === 'b!' ? 1 : 2;
  if (parts.length < 1 + restCount) return undefined;
  const rest = parts.slice(parts.length - restCount);
  if (!rest.every((r) => HEX16.test(r))) return undefined;
  return { prefix, ref: parts.slice(0, parts.length - restCount).join('!'), rest };
}

/** Scans every key of the database; returns the first problem found, or undefined if the data is whole. */
export async function scrubNodeDb(db: NodeDb): Promise<string | undefined> {
  const shards = new Map<string, ShardScan>();
  const scanOf = (ref: string): ShardScan => {
    let s = shards.get(ref);
    if (!s) { s = { logEnd: undefined, batches: 0, timeKeys: 0, batchFold: 0, timeFold: 0, hw: undefined, logStart: 0 }; shards.set(ref, s); }
    return s;
  };
  try {
    for await (const [key, value] of db.iterator({ fillCache: false })) {
      if (key === WAL_SYNC_KEY) continue;
      const k = splitKey(key);
      if (!k) return `unexpected key ${JSON.stringify(key.slice(0, 80))}`;
      const s = scanOf(k.ref);
      if (k.prefix === 'b!') {
        const batch = RecordBatch.parse(value, true);
        if (typeof batch === 'string') return `batch ${key}: ${batch}`;
        if (batch.firstOffset !== parseInt(k.rest[0]!, 16)) return `batch ${key} holds first offset ${batch.firstOffset}`;
        if (s.logEnd !== undefined && batch.firstOffset !== s.logEnd) return `shard ${k.ref}: batch at ${batch.firstOffset} after log end ${s.logEnd}`;
        s.logEnd = batch.endOffset;
        s.batches++;
        s.batchFold ^= fold(batch.header.lastArrivalMs.toString(16).padStart(16, '0'), k.rest[0]!);
      } else if (k.prefix === 't!') {
        if (value.length !== 0) return `time-index key ${key} has a value`;
        s.timeKeys++;
        s.timeFold ^= fold(k.rest[0]!, k.rest[1]!);
      } else if (k.prefix === 'h!') {
        if (value.length !== 8) return `high watermark of ${k.ref} has ${value.length} bytes`;
        s.hw = value.readUInt32BE(0) * 0x1_0000_0000 + value.readUInt32BE(4);
      } else {
        try {
          const meta = JSON.parse(value.toString('utf8')) as { epoch?: unknown; logStartOffset?: unknown; epochCache?: unknown };
          if (typeof meta.epoch !== 'number' || typeof meta.logStartOffset !== 'number' || !Array.isArray(meta.epochCache)) return `meta of ${k.ref} is malformed`;
          s.logStart = meta.logStartOffset;
        } catch {
          return `meta of ${k.ref} is not JSON`;
        }
      }
    }
  } catch (err) {
    return `reading the database failed: ${(err as Error).message}`;
  }
  for (const [ref, s] of shards) {
    // No batch left: a replica deletion (ShardLog.destroy, not atomic) may have stopped half way; nothing to serve.
    if (s.batches === 0) continue;
    if (s.batches !== s.timeKeys || s.batchFold !== s.timeFold) return `shard ${ref}: ${s.batches} batches but ${s.timeKeys} time-index keys, or they differ`;
    if (s.hw !== undefined && s.hw > (s.logEnd ?? s.logStart)) return `shard ${ref}: high watermark ${s.hw} beyond log end ${s.logEnd ?? s.logStart}`;
  }
  return undefined;
}

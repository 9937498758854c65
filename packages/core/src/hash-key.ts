/**
 * The 128-bit hash key space: a record's hash key is the MD5 of its
 * partition key read as an unsigned big-endian 128-bit integer, or an
 * explicit hash key in [0, 2^128 - 1]. Shards own inclusive ranges of it.
 */
import { hash } from 'node:crypto';

export const HASH_KEY_MAX = (1n << 128n) - 1n;
export const HASH_KEY_SPACE = 1n << 128n;

/** An inclusive range of the hash key space. */
export interface HashKeyRange {
  readonly start: bigint;
  readonly end: bigint;
}

/** MD5(partition key as UTF-8) as an unsigned 128-bit integer, as Kinesis routes. */
export function partitionKeyToHashKey(partitionKey: string): bigint {
  // A one-shot hex digest read as one hex literal costs about half of a Buffer
  // digest plus two 64-bit reads (every record of every put takes this path).
  return BigInt(`0x${hash('md5', partitionKey, 'hex')}`);
}

/** 16 big-endian bytes -> bigint. */
export function bufferToHashKey(bytes: Uint8Array): bigint {
  if (bytes.length !== 16) throw new Error(`hash key must be 16 bytes, got ${bytes.length}`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (b.readBigUInt64BE(0) << 64n) | b.readBigUInt64BE(8);
}

/** bigint in [0, 2^128-1] -> 16 big-endian bytes. */
export function hashKeyToBuffer(hashKey: bigint): Buffer {
  if (hashKey < 0n || hashKey > HASH_KEY_MAX) throw new Error(`hash key out of range: ${hashKey}`);
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(hashKey >> 64n, 0);
  b.writeBigUInt64BE(hashKey & 0xffffffffffffffffn, 8);
  return b;
}

/**
 * The ranges Kinesis gives a new stream of `shardCount` shards: shard i
 * starts at floor(i * 2^128 / n) and ends one before the next start; the
 * last ends at 2^128 - 1.
 */
export function evenHashKeyRanges(shardCount: number): HashKeyRange[] {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new Error(`shardCount must be a positive integer, got ${shardCount}`);
  const n = BigInt(shardCount);
  const ranges: HashKeyRange[] = [];
  for (let i = 0n; i < n; i++) {
    const start = (i * HASH_KEY_SPACE) / n;
    const end = ((i + 1n) * HASH_KEY_SPACE) / n - 1n;
    ranges.push({ start, end });
  }
  return ranges;
}

/** True if `hashKey` lies inside the inclusive range. */
export function rangeContains(range: HashKeyRange, hashKey: bigint): boolean {
  return hashKey >= range.start && hashKey <= range.end;
}

/**
 * Shard ids as Kinesis spells them: `shardId-` and a 12-digit, zero-padded
 * index that grows by one for every shard a stream ever creates.
 */

const SHARD_ID_PREFIX = 'shardId-';
const SHARD_INDEX_DIGITS = 12;
const SHARD_ID_PATTERN = /^shardId-(\d{12})$/;

export function shardIdFromIndex(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 999_999_999_999) throw new Error(`bad shard index ${index}`);
  return SHARD_ID_PREFIX + String(index).padStart(SHARD_INDEX_DIGITS, '0');
}

/** The index of a well-formed shard id, or undefined. */
export function shardIndexFromId(shardId: string): number | undefined {
  const m = SHARD_ID_PATTERN.exec(shardId);
  return m ? Number(m[1]) : undefined;
}

/** The largest shard index a request may name (Kinesis reads it as a signed 32-bit int). */
const MAX_REQUEST_SHARD_INDEX = 2_147_483_647;
const DIGITS = /^\d+$/;

/**
 * A shard id as a request may spell it, normalised the way Kinesis does:
 * the number after the first '-' (or the whole text when there is none)
 * names the shard, so `shardId-0`, `0`, `a-0005` mean shardId-000000000000
 * and shardId-000000000005. Undefined when that part is not a number in
 * [0, 2^31 - 1] (callers answer "not found" with the text as given).
 */
export function normaliseShardId(text: string): string | undefined {
  const part = text.split('-')[1] || text;
  if (!DIGITS.test(part)) return undefined;
  const index = Number(part);
  return index <= MAX_REQUEST_SHARD_INDEX ? shardIdFromIndex(index) : undefined;
}

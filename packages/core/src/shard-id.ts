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

/**
 * Sequence numbers: decimal strings of 56 digits that encode where a record
 * lives, so that any api process can validate and route them without state.
 *
 * Layout of the unsigned integer (bits, most significant first):
 *
 *   [183]      always 1 (the version marker; makes every number 56 digits)
 *   [182..128] zero (reserved)
 *   [127..96]  stream tag: 32 bits derived from the stream's unique id
 *   [95..64]   shard index (the number in shardId-NNNNNNNNNNNN)
 *   [63..0]    offset of the record in the shard's log
 *
 * Shard indexes only grow within a stream, so every child shard's numbers
 * are greater than every number of its parents. Offsets only grow within a
 * shard, so numbers are strictly increasing in a shard.
 *
 * Position numbers (SubscribeToShard's ContinuationSequenceNumber where no
 * record precedes the position, e.g. an empty shard): bit 182 set instead
 * of bit 183, same fields below. Such a number names the position just
 * before `offset`, not a record: AT_SEQUENCE_NUMBER and
 * AFTER_SEQUENCE_NUMBER both start at `offset`. It is smaller than every
 * record's number (55 digits), so a client that compares numbers never
 * sees the position after a record.
 */
import { createHash } from 'node:crypto';

const VERSION_BIT = 1n << 183n;
const POSITION_BIT = 1n << 182n;
const STREAM_TAG_SHIFT = 96n;
const SHARD_INDEX_SHIFT = 64n;
const MASK_32 = 0xffffffffn;
const MASK_64 = 0xffffffffffffffffn;
/** The API model's pattern for sequence numbers. */
export const SEQUENCE_NUMBER_PATTERN = /^(0|[1-9]\d{0,128})$/;

export interface SequenceNumberParts {
  /** 32-bit tag of the stream (see streamTagOf). */
  readonly streamTag: number;
  /** Index of the shard within its stream. */
  readonly shardIndex: number;
  /** Offset of the record in the shard log. */
  readonly offset: bigint;
  /** A position number: names the position just before `offset`, not a record (see the header). */
  readonly position?: boolean;
}

/** 32 bits of SHA-256 of the stream's unique id. */
export function streamTagOf(streamId: string): number {
  return createHash('sha256').update(streamId, 'utf8').digest().readUInt32BE(0);
}

export function encodeSequenceNumber(parts: SequenceNumberParts): string {
  if (parts.offset < 0n || parts.offset > MASK_64) throw new Error(`offset out of range: ${parts.offset}`);
  if (parts.shardIndex < 0 || parts.shardIndex > 0xffffffff) throw new Error(`shard index out of range: ${parts.shardIndex}`);
  const n = (parts.position === true ? POSITION_BIT : VERSION_BIT)
    | (BigInt(parts.streamTag >>> 0) << STREAM_TAG_SHIFT)
    | (BigInt(parts.shardIndex) << SHARD_INDEX_SHIFT)
    | parts.offset;
  return n.toString(10);
}

/**
 * The sequence numbers of consecutive offsets from `first.offset`: each call
 * returns the next one. Only the first is converted from a bigint; the rest
 * are decimal increments of the previous string (the offset is the low 64
 * bits, so adding one to the number adds one to the offset). A PutRecords
 * answer numbers up to 500 records this way.
 */
export function sequenceNumberCounter(first: SequenceNumberParts): () => string {
  const room = MASK_64 - first.offset;
  const roomMax = room > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(room);
  let current: string | undefined;
  let issued = 0;
  return () => {
    if (current === undefined) current = encodeSequenceNumber(first);
    else if (issued > roomMax) throw new Error(`offset out of range: ${first.offset + BigInt(issued)}`);
    else current = incrementDecimal(current);
    issued++;
    return current;
  };
}

/** A non-negative decimal integer string plus one. */
function incrementDecimal(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57 /* '9' */) i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - 1 - i);
}

/**
 * Parts of a sequence number this system issued, or undefined for a number
 * that matches the API pattern but was not issued here (wrong version).
 * Callers must check the pattern first (ValidationException otherwise).
 */
export function decodeSequenceNumber(sequenceNumber: string): SequenceNumberParts | undefined {
  if (!SEQUENCE_NUMBER_PATTERN.test(sequenceNumber)) return undefined;
  const n = BigInt(sequenceNumber);
  // Version bit set and reserved bits [182..128] zero, or a position number: anything else was not issued here.
  const high = n >> 128n;
  if (high !== VERSION_BIT >> 128n && high !== POSITION_BIT >> 128n) return undefined;
  const parts = {
    streamTag: Number((n >> STREAM_TAG_SHIFT) & MASK_32),
    shardIndex: Number((n >> SHARD_INDEX_SHIFT) & MASK_32),
    offset: n & MASK_64,
  };
  return high === POSITION_BIT >> 128n ? { ...parts, position: true } : parts;
}

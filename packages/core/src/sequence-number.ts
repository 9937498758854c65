/**
 * Sequence numbers in the layout Kinesis itself uses (its "version 2"
 * numbers, as read from real answers: 56 decimal digits, 47 hex digits),
 * so clients and tools that look inside them see what they expect. The
 * numbers encode where a record lives, so any api process can validate and
 * route them without state.
 *
 * Hex digits of the number, most significant first:
 *
 *   [0]       2 (constant lead digit)
 *   [1..9]    shard creation time, epoch seconds (36 bits)
 *   [10]      shard index & 0xf
 *   [11..26]  offset of the record in the shard's log (64 bits, top bit 0)
 *   [27..28]  00 (reserved)
 *   [29..37]  arrival time of the record, epoch seconds (36 bits)
 *   [38..45]  shard index (32 bits, top bit 0)
 *   [46]      2 (version)
 *
 * Within a shard the creation time and index are fixed, so numbers grow
 * with the offset. A child shard is created at least a second after each
 * of its parents (the controller ensures it), so every child number is
 * greater than every parent number. The creation time also tells one
 * stream's numbers from another's, as Kinesis checks it ("did not come
 * from this stream").
 *
 * Position numbers (SubscribeToShard's ContinuationSequenceNumber where no
 * record precedes the position, e.g. an empty shard): arrival time 0, which
 * no record has (records arrive after their shard's creation). Such a
 * number names the position just before `offset`, not a record:
 * AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER both start at `offset`. It
 * is greater than every number of the records before `offset` and smaller
 * than the number of the record at `offset`.
 *
 * `parseSequenceNumber` also reads the older layouts Kinesis accepts in
 * requests (versions 0 and 1), so that answers to foreign numbers match
 * Kinesis' (which shard a number names, and which are malformed).
 */

/** The API model's pattern for sequence numbers. */
export const SEQUENCE_NUMBER_PATTERN = /^(0|[1-9]\d{0,128})$/;

const VERSION = 2n;
const LEAD = 2n << 184n;
const CREATED_SHIFT = 148n;
const NIBBLE_SHIFT = 144n;
const OFFSET_SHIFT = 80n;
const ARRIVAL_SHIFT = 36n;
const SHARD_INDEX_SHIFT = 4n;
const MASK_4 = 0xfn;
const MASK_32 = 0xffffffffn;
const MASK_36 = 0xfffffffffn;
const MASK_64 = 0xffffffffffffffffn;
/** Offsets and shard indexes keep their top bit clear (Kinesis reads a set bit as invalid / negative). */
const OFFSET_MAX = (1n << 63n) - 1n;
const SHARD_INDEX_MAX = 0x7fffffff;
/** Seconds Kinesis rejects as a creation time ("date too large"): about the year 2477. */
export const SEQUENCE_CREATED_SECS_LIMIT = 16025175000;
const SECS_MAX = Number(MASK_36);
/** Numbers below 2^124 are read as version-0 numbers with 2^124 added (Kinesis' reading). */
const V0_FLOOR = 1n << 124n;
const V0_CEILING = 1n << 129n;
const V12_FLOOR = 1n << 185n;
const V12_CEILING = 3n << 184n;
/** The offset is the field from bit 80: consecutive offsets are this far apart. */
const OFFSET_STEP = 1n << OFFSET_SHIFT;

/** What a sequence number issued here encodes. */
export interface SequenceNumberParts {
  /** Epoch seconds the shard was created (from its StartingSequenceNumber). */
  readonly shardCreatedSecs: number;
  /** Index of the shard within its stream. */
  readonly shardIndex: number;
  /** Offset of the record in the shard log. */
  readonly offset: bigint;
  /** Epoch seconds the record arrived (the shard's creation for a StartingSequenceNumber; 0 for a position number). */
  readonly arrivalSecs: number;
}

/** Whether issued parts name a position (the gap just before `offset`) rather than a record (see the header). */
export function isPositionNumber(parts: SequenceNumberParts): boolean {
  return parts.arrivalSecs === 0;
}

/** The position number of the gap just before `offset` in a shard (see the header). */
export function positionSequenceNumber(shardCreatedSecs: number, shardIndex: number, offset: bigint): string {
  return encodeSequenceNumber({ shardCreatedSecs, shardIndex, offset, arrivalSecs: 0 });
}

/** A number read in any layout Kinesis accepts; `shardIndex` may be negative (a set top bit). */
export interface ParsedSequenceNumber {
  readonly version: 0 | 1 | 2;
  readonly shardCreatedSecs: number;
  readonly shardIndex: number;
  /** Offset (version 2) or the position field of older layouts. */
  readonly offset: bigint;
  /** Arrival seconds (versions 1 and 2; 0 for version 0). */
  readonly arrivalSecs: number;
}

function assertSecs(secs: number, what: string): void {
  if (!Number.isSafeInteger(secs) || secs < 0 || secs > SECS_MAX) throw new Error(`${what} out of range: ${secs}`);
}

export function encodeSequenceNumber(parts: SequenceNumberParts): string {
  if (parts.offset < 0n || parts.offset > OFFSET_MAX) throw new Error(`offset out of range: ${parts.offset}`);
  if (!Number.isInteger(parts.shardIndex) || parts.shardIndex < 0 || parts.shardIndex > SHARD_INDEX_MAX) throw new Error(`shard index out of range: ${parts.shardIndex}`);
  assertSecs(parts.shardCreatedSecs, 'shard creation time');
  assertSecs(parts.arrivalSecs, 'arrival time');
  const index = BigInt(parts.shardIndex);
  const n = LEAD
    | (BigInt(parts.shardCreatedSecs) << CREATED_SHIFT)
    | ((index & MASK_4) << NIBBLE_SHIFT)
    | (parts.offset << OFFSET_SHIFT)
    | (BigInt(parts.arrivalSecs) << ARRIVAL_SHIFT)
    | (index << SHARD_INDEX_SHIFT)
    | VERSION;
  return n.toString(10);
}

/**
 * The sequence numbers of consecutive offsets from `first.offset`, all with
 * `first`'s arrival time (the records of one Append arrive together): each
 * call returns the next one. A PutRecords answer numbers up to 500 records.
 */
export function sequenceNumberCounter(first: SequenceNumberParts): () => string {
  let next = BigInt(encodeSequenceNumber(first));
  let offset = first.offset;
  return () => {
    if (offset > OFFSET_MAX) throw new Error(`offset out of range: ${offset}`);
    const text = next.toString(10);
    next += OFFSET_STEP;
    offset++;
    return text;
  };
}

/**
 * Reads a number in any layout Kinesis accepts in requests, or undefined
 * for one Kinesis calls invalid (unknown version, offset or creation time
 * out of range). Callers must check the API pattern first.
 */
export function parseSequenceNumber(text: string): ParsedSequenceNumber | undefined {
  if (!SEQUENCE_NUMBER_PATTERN.test(text)) return undefined;
  let n = BigInt(text);
  if (n < V0_FLOOR) n += V0_FLOOR;
  if (n < V0_CEILING) return parseVersion0(n);
  if (n <= V12_FLOOR || n >= V12_CEILING) return undefined;
  const version = Number(n & MASK_4);
  if (version === 2) return parseVersion2(n);
  if (version === 1) return parseVersion1(n);
  return undefined;
}

/** Version 2: the layout above. */
function parseVersion2(n: bigint): ParsedSequenceNumber | undefined {
  const offset = (n >> OFFSET_SHIFT) & MASK_64;
  if (offset > OFFSET_MAX) return undefined;
  const shardCreatedSecs = Number((n >> CREATED_SHIFT) & MASK_36);
  if (shardCreatedSecs >= SEQUENCE_CREATED_SECS_LIMIT) return undefined;
  return { version: 2, shardCreatedSecs, shardIndex: signed32((n >> SHARD_INDEX_SHIFT) & MASK_32), offset, arrivalSecs: Number((n >> ARRIVAL_SHIFT) & MASK_36) };
}

/**
 * Version 1 (hex): 2, creation secs (9), index nibble (1), reserved (2),
 * arrival secs (9), random (14), position (2), shard index (8), 1.
 */
function parseVersion1(n: bigint): ParsedSequenceNumber {
  return {
    version: 1,
    shardCreatedSecs: Number((n >> 148n) & MASK_36),
    shardIndex: Number((n >> 4n) & MASK_32),
    offset: (n >> 36n) & 0xffn,
    arrivalSecs: Number((n >> 100n) & MASK_36),
  };
}

/**
 * Version 0 (hex, 32 digits): 1, creation secs (9), reserved (2), random
 * (16), shard index (4); read by digit position from the left, as Kinesis does.
 */
function parseVersion0(n: bigint): ParsedSequenceNumber | undefined {
  const hex = n.toString(16);
  const shardCreatedSecs = parseInt(hex.slice(1, 10), 16);
  if (shardCreatedSecs >= SEQUENCE_CREATED_SECS_LIMIT) return undefined;
  return { version: 0, shardCreatedSecs, shardIndex: parseInt(hex.slice(28, 32), 16), offset: 0n, arrivalSecs: 0 };
}

/** A 32-bit field whose top bit is set reads as minus its value (Kinesis prints such an index as shardId--0NNNNNNNNNN). */
function signed32(v: bigint): number {
  const x = Number(v);
  return x > SHARD_INDEX_MAX ? -x : x;
}

/**
 * Parts of a number this system issued (version 2, a non-negative shard
 * index), or undefined for any other. Callers must check the pattern first
 * (ValidationException otherwise).
 */
export function decodeSequenceNumber(text: string): SequenceNumberParts | undefined {
  const p = parseSequenceNumber(text);
  if (!p || p.version !== 2 || p.shardIndex < 0) return undefined;
  return { shardCreatedSecs: p.shardCreatedSecs, shardIndex: p.shardIndex, offset: p.offset, arrivalSecs: p.arrivalSecs };
}

/** The StartingSequenceNumber of a shard created at `createdSecs`: offset 0, arrival = creation. */
export function startingSequenceNumber(createdSecs: number, shardIndex: number): string {
  return encodeSequenceNumber({ shardCreatedSecs: createdSecs, shardIndex, offset: 0n, arrivalSecs: createdSecs });
}

/**
 * The record batch: the unit a shard leader writes, replicates and stores.
 * The leader encodes a batch once; the same bytes are the LevelDB value on
 * every replica and the `batches` payload of a ShardAppend, so no hop
 * re-serialises records. Decoding is lazy: the header is read at once, the
 * records only when iterated, and record data is a view into the batch
 * buffer (no copy).
 *
 * Format (version 1), all integers unsigned big-endian; u64 values are held
 * in JS numbers and must stay below 2^53:
 *
 *   off  size  field
 *   0    4     magic 0x53484C42 ("SHLB")
 *   4    1     version = 1
 *   5    3     reserved, zero
 *   8    4     CRC32 (IEEE) of every byte after this field (rest of the
 *              header and the body), so any flipped bit is detected
 *   12   8     leader epoch that wrote the batch (u64)
 *   20   8     first offset (u64); records hold firstOffset .. firstOffset+count-1
 *   28   4     record count (u32, >= 1)
 *   32   8     arrival ms of the first record (u64)
 *   40   8     arrival ms of the last record (u64; arrivals never decrease)
 *   48   4     body length in bytes (u32)
 *   52   ...   body: for each record
 *                8  arrival ms (u64)
 *                2  partition key length in bytes (u16), then the UTF-8 key
 *                4  data length (u32), then the data
 *
 * A "record body" is the body alone (same per-record layout). The api sends
 * an Append's records as one body with arrival times zero
 * (`encodeRecordBody`); the leader checks it (`scanRecordBody`) and builds
 * its batch by copying the admitted bodies behind a header and stamping the
 * arrival time (`assembleRecordBatch`), so records are never decoded into
 * objects on the write path.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

export const RECORD_BATCH_MAGIC = 0x53484c42;
export const RECORD_BATCH_VERSION = 1;
export const RECORD_BATCH_HEADER_BYTES = 52;
/** Fixed bytes per record in the body besides key and data. */
export const RECORD_BATCH_RECORD_OVERHEAD_BYTES = 14;
/** Most records one batch may hold (u32 field; bounded far lower in practice). */
export const RECORD_BATCH_RECORDS_MAX = 1_000_000;
/** Partition keys are at most 256 UTF-16 code units: at most 768 UTF-8 bytes. */
const PARTITION_KEY_BYTES_MAX = 0xffff;
const U32 = 0x1_0000_0000;
/** The CRC covers bytes from here to the end. */
const CRC_FROM = 12;

/** One record to encode. */
export interface RecordInput {
  readonly arrivalMs: number;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** One decoded record: `data` is a view into the batch buffer. */
export interface BatchRecord {
  readonly offset: number;
  readonly arrivalMs: number;
  readonly partitionKey: string;
  readonly data: Buffer;
}

export interface RecordBatchHeader {
  readonly epoch: number;
  readonly firstOffset: number;
  readonly count: number;
  readonly firstArrivalMs: number;
  readonly lastArrivalMs: number;
  readonly bodyBytes: number;
  readonly crc: number;
}

function writeU64(b: Buffer, at: number, n: number): void {
  b.writeUInt32BE(Math.floor(n / U32), at);
  b.writeUInt32BE(n >>> 0, at + 4);
}

function readU64(b: Buffer, at: number): number {
  return b.readUInt32BE(at) * U32 + b.readUInt32BE(at + 4);
}

/**
 * CRC32 (IEEE 802.3) of bytes[start, end). zlib's (a pure function, native
 * and ~14x faster than a JS table loop; Node >= 20.15).
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const view = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
  return zlibCrc32(view) >>> 0;
}

/** Bytes one record takes in a batch body. */
function recordEncodedBytes(partitionKeyBytes: number, dataBytes: number): number {
  return RECORD_BATCH_RECORD_OVERHEAD_BYTES + partitionKeyBytes + dataBytes;
}

/**
 * Encodes records as one batch. Preconditions (asserted): at least one
 * record, arrival times non-decreasing, safe-integer epoch and offset.
 */
export function encodeRecordBatch(epoch: number, firstOffset: number, records: readonly RecordInput[]): Buffer {
  if (records.length < 1 || records.length > RECORD_BATCH_RECORDS_MAX) throw new Error(`batch must hold 1..${RECORD_BATCH_RECORDS_MAX} records, got ${records.length}`);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`bad epoch ${epoch}`);
  if (!Number.isSafeInteger(firstOffset) || firstOffset < 0) throw new Error(`bad first offset ${firstOffset}`);
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.arrivalMs < records[i - 1]!.arrivalMs) throw new Error('arrival times must not decrease within a batch');
  }
  const out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_BYTES + recordBodyBytes(records));
  const end = writeRecords(out, RECORD_BATCH_HEADER_BYTES, records);
  writeHeader(out, epoch, firstOffset, records.length, records[0]!.arrivalMs, records[records.length - 1]!.arrivalMs);
  if (end !== out.length) throw new Error('record batch size miscounted');
  return out;
}

/** One record of a record body (no arrival time yet). */
export interface BodyRecordInput {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** Body bytes of these records; throws on a partition key longer than the u16 field. */
function recordBodyBytes(records: readonly BodyRecordInput[]): number {
  let bytes = 0;
  for (const r of records) {
    const keyBytes = Buffer.byteLength(r.partitionKey, 'utf8');
    if (keyBytes > PARTITION_KEY_BYTES_MAX) throw new Error('partition key too long');
    bytes += recordEncodedBytes(keyBytes, r.data.length);
  }
  return bytes;
}

/** Writes records (arrival ms from `arrivalMs` if present, else 0) from `at`; returns the end. */
function writeRecords(out: Buffer, at: number, records: readonly (BodyRecordInput & { readonly arrivalMs?: number })[]): number {
  for (const r of records) {
    writeU64(out, at, r.arrivalMs ?? 0);
    const keyLen = out.write(r.partitionKey, at + 10, 'utf8');
    out.writeUInt16BE(keyLen, at + 8);
    at += 10 + keyLen;
    out.writeUInt32BE(r.data.length, at);
    out.set(r.data, at + 4);
    at += 4 + r.data.length;
  }
  return at;
}

/** Fills the header of a batch whose body is in place, CRC last. */
function writeHeader(out: Buffer, epoch: number, firstOffset: number, count: number, firstArrivalMs: number, lastArrivalMs: number): void {
  out.writeUInt32BE(RECORD_BATCH_MAGIC, 0);
  out.writeUInt32BE(RECORD_BATCH_VERSION << 24, 4);
  writeU64(out, 12, epoch);
  writeU64(out, 20, firstOffset);
  out.writeUInt32BE(count, 28);
  writeU64(out, 32, firstArrivalMs);
  writeU64(out, 40, lastArrivalMs);
  out.writeUInt32BE(out.length - RECORD_BATCH_HEADER_BYTES, 48);
  out.writeUInt32BE(crc32(out, CRC_FROM, out.length), 8);
}

/** Encodes records as a record body with arrival times zero (the api's Append payload). */
export function encodeRecordBody(records: readonly BodyRecordInput[]): Buffer {
  const out = Buffer.allocUnsafe(recordBodyBytes(records));
  writeRecords(out, 0, records);
  return out;
}

/**
 * Checks that `body` holds exactly `count` well-formed records and returns
 * where each starts: `starts[i]` .. `starts[i + 1]` is record i (count + 1
 * entries). A record's Kinesis size (key + data bytes) is its length minus
 * RECORD_BATCH_RECORD_OVERHEAD_BYTES. Returns a reason string if malformed.
 */
export function scanRecordBody(body: Buffer, count: number): Uint32Array | string {
  if (!Number.isInteger(count) || count < 1 || count > RECORD_BATCH_RECORDS_MAX) return `bad record count ${count}`;
  const starts = new Uint32Array(count + 1);
  let at = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    if (at + 10 > body.length) return `record ${i} overruns the body`;
    const keyEnd = at + 10 + body.readUInt16BE(at + 8);
    if (keyEnd + 4 > body.length) return `record ${i} overruns the body`;
    at = keyEnd + 4 + body.readUInt32BE(keyEnd);
    if (at > body.length) return `record ${i} overruns the body`;
  }
  if (at !== body.length) return 'record body has trailing bytes';
  starts[count] = at;
  return starts;
}

/** A run of whole records of a record body: bytes [start, end) holding `count` records. */
export interface RecordBodySlice {
  readonly body: Buffer;
  readonly start: number;
  readonly end: number;
  readonly count: number;
}

/**
 * Builds a batch from runs of checked record bodies (see scanRecordBody),
 * in order, every record stamped with `arrivalMs`: one copy of the bytes.
 */
export function assembleRecordBatch(epoch: number, firstOffset: number, arrivalMs: number, slices: readonly RecordBodySlice[]): Buffer {
  let count = 0;
  let bodyBytes = 0;
  for (const s of slices) { count += s.count; bodyBytes += s.end - s.start; }
  if (count < 1 || count > RECORD_BATCH_RECORDS_MAX) throw new Error(`batch must hold 1..${RECORD_BATCH_RECORDS_MAX} records, got ${count}`);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`bad epoch ${epoch}`);
  if (!Number.isSafeInteger(firstOffset) || firstOffset < 0) throw new Error(`bad first offset ${firstOffset}`);
  const out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_BYTES + bodyBytes);
  let at = RECORD_BATCH_HEADER_BYTES;
  for (const s of slices) { s.body.copy(out, at, s.start, s.end); at += s.end - s.start; }
  at = RECORD_BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 10 > out.length) throw new Error('record body slices do not hold their records');
    writeU64(out, at, arrivalMs);
    const keyEnd = at + 10 + out.readUInt16BE(at + 8);
    at = keyEnd + 4 + out.readUInt32BE(keyEnd);
  }
  if (at !== out.length) throw new Error('record body slices do not hold their records');
  writeHeader(out, epoch, firstOffset, count, arrivalMs, arrivalMs);
  return out;
}

/**
 * Reads and checks the header of an encoded batch (magic, version, sizes),
 * without touching the body. Returns a reason string on malformed input.
 */
export function readRecordBatchHeader(bytes: Buffer): RecordBatchHeader | string {
  if (bytes.length < RECORD_BATCH_HEADER_BYTES) return `batch shorter than its header (${bytes.length} bytes)`;
  if (bytes.readUInt32BE(0) !== RECORD_BATCH_MAGIC) return 'bad batch magic';
  if (bytes.readUInt8(4) !== RECORD_BATCH_VERSION) return `unknown batch version ${bytes.readUInt8(4)}`;
  if ((bytes.readUInt32BE(4) & 0xffffff) !== 0) return 'batch reserved bytes are not zero';
  const header: RecordBatchHeader = {
    crc: bytes.readUInt32BE(8),
    epoch: readU64(bytes, 12),
    firstOffset: readU64(bytes, 20),
    count: bytes.readUInt32BE(28),
    firstArrivalMs: readU64(bytes, 32),
    lastArrivalMs: readU64(bytes, 40),
    bodyBytes: bytes.readUInt32BE(48),
  };
  if (header.bodyBytes !== bytes.length - RECORD_BATCH_HEADER_BYTES) return 'batch length does not match its header';
  if (header.count < 1 || header.count * RECORD_BATCH_RECORD_OVERHEAD_BYTES > header.bodyBytes) return 'bad batch record count';
  if (!Number.isSafeInteger(header.firstOffset + header.count) || !Number.isSafeInteger(header.epoch)) return 'batch offset or epoch out of range';
  return header;
}

/** A decoded view of one batch. Construct with `RecordBatch.parse`. */
export class RecordBatch {
  private constructor(readonly bytes: Buffer, readonly header: RecordBatchHeader) {}

  /**
   * Parses the header and, if `verifyCrc`, checks the body's CRC (do it on
   * every batch received from the network or read back from disk once).
   */
  static parse(bytes: Buffer, verifyCrc: boolean): RecordBatch | string {
    const header = readRecordBatchHeader(bytes);
    if (typeof header === 'string') return header;
    if (verifyCrc && crc32(bytes, CRC_FROM, bytes.length) !== header.crc) return 'batch CRC mismatch';
    return new RecordBatch(bytes, header);
  }

  get epoch(): number { return this.header.epoch; }
  get firstOffset(): number { return this.header.firstOffset; }
  get count(): number { return this.header.count; }
  /** Exclusive end offset. */
  get endOffset(): number { return this.header.firstOffset + this.header.count; }

  /**
   * Records from offset `from` on, in order. Throws on a body that does not
   * match its header (callers verify the CRC first, so this means a bug).
   */
  *records(from: number = this.header.firstOffset): Generator<BatchRecord> {
    const b = this.bytes;
    let at = RECORD_BATCH_HEADER_BYTES;
    for (let i = 0; i < this.header.count; i++) {
      const arrivalMs = readU64(b, at);
      const keyLen = b.readUInt16BE(at + 8);
      const keyAt = at + 10;
      const dataLen = b.readUInt32BE(keyAt + keyLen);
      const dataAt = keyAt + keyLen + 4;
      if (dataAt + dataLen > b.length) throw new Error('record batch body overruns its buffer');
      const offset = this.header.firstOffset + i;
      if (offset >= from) {
        yield { offset, arrivalMs, partitionKey: b.toString('utf8', keyAt, keyAt + keyLen), data: b.subarray(dataAt, dataAt + dataLen) };
      }
      at = dataAt + dataLen;
    }
    if (at !== b.length) throw new Error('record batch body has trailing bytes');
  }
}

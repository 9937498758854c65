/**
 * Shard iterators: opaque, self-contained, HMAC-signed tokens that carry
 * where a reader stands in a shard, so any stateless api process can resume
 * a read and no client can forge or alter one.
 *
 * Wire format (then standard base64 with padding, canonical form only):
 *
 *   offset  size  field
 *   0       8     00 00 00 00 00 00 00 01 (the prefix Kinesis' own iterators have)
 *   8       1     version (ITERATOR_FORMAT_VERSION = 2)
 *   9       8     offset in the shard log, unsigned big-endian
 *   17      8     issuedMs (epoch milliseconds), unsigned big-endian
 *   25      1+n   streamName: 1-byte length n, then n bytes of UTF-8
 *   ..      1+n   streamId:   same
 *   ..      1+n   shardId:    same
 *   ..      0-15  zero bytes, so that everything after the prefix is a
 *                 multiple of 16 bytes long (as in Kinesis' iterators,
 *                 which clients and test suites check)
 *   end-32  32    HMAC-SHA256(key, ITERATOR_MAC_CONTEXT || all bytes above)
 *
 * The MAC covers the version, so a later format cannot be confused with this
 * one; the context string keeps a MAC made with the same key for another
 * token type (e.g. a ListShards NextToken) from passing here. Expiry
 * (ITERATOR_TTL_MS) is checked by the caller, which owns the clock.
 *
 * With a 128-character stream name, a 36-character UUID and a 20-character
 * shard id the token is 248 bytes = 332 base64 characters, under
 * ITERATOR_LENGTH_MAX (512).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ITERATOR_LENGTH_MAX } from './limits';

/** What a shard iterator carries. offset and issuedMs are non-negative safe integers. */
export interface ShardIteratorPayload {
  streamName: string;
  streamId: string;
  shardId: string;
  /** Offset in the shard log of the next record to return. */
  offset: number;
  /** When the iterator was issued, epoch milliseconds (for ITERATOR_TTL_MS). */
  issuedMs: number;
}

export type DecodedShardIterator = { ok: true; payload: ShardIteratorPayload } | { ok: false };

const ITERATOR_FORMAT_VERSION = 2;
const PREFIX = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]);
/** Everything after the prefix is padded to a multiple of this many bytes. */
const ALIGN_BYTES = 16;
const ITERATOR_MAC_CONTEXT = Buffer.from('shoal/shard-iterator/v2\0', 'utf8');
const MAC_BYTES = 32;
const FIXED_HEADER_BYTES = PREFIX.length + 1 + 8 + 8;
/** A string field's length prefix is one byte. */
const FIELD_BYTES_MAX = 255;
/** Smallest key accepted: HMAC-SHA256 keys shorter than this are guessable. */
const KEY_BYTES_MIN = 16;
/** Largest decoded token that can still be valid (base64 of ITERATOR_LENGTH_MAX chars). */
const TOKEN_BYTES_MAX = (ITERATOR_LENGTH_MAX / 4) * 3;
const NOT_OK: DecodedShardIterator = { ok: false };

/**
 * Encodes and signs an iterator. Throws on a payload this format cannot hold
 * (a programmer error, not a client one): a negative or unsafe number, a
 * field over 255 UTF-8 bytes, or a token over ITERATOR_LENGTH_MAX chars.
 */
export function encodeShardIterator(payload: ShardIteratorPayload, key: Buffer): string {
  assertKey(key);
  assertUint(payload.offset, 'offset');
  assertUint(payload.issuedMs, 'issuedMs');
  const fields = [payload.streamName, payload.streamId, payload.shardId].map(encodeField);
  const header = Buffer.allocUnsafe(FIXED_HEADER_BYTES);
  PREFIX.copy(header, 0);
  header.writeUInt8(ITERATOR_FORMAT_VERSION, PREFIX.length);
  header.writeBigUInt64BE(BigInt(payload.offset), PREFIX.length + 1);
  header.writeBigUInt64BE(BigInt(payload.issuedMs), PREFIX.length + 9);
  const unpadded = header.length + fields.reduce((n, f) => n + f.length, 0);
  const padding = Buffer.alloc((ALIGN_BYTES - ((unpadded - PREFIX.length) % ALIGN_BYTES)) % ALIGN_BYTES);
  const body = Buffer.concat([header, ...fields, padding]);
  const text = Buffer.concat([body, mac(body, key)]).toString('base64');
  if (text.length > ITERATOR_LENGTH_MAX) throw new Error(`shard iterator too long: ${text.length} chars`);
  return text;
}

/**
 * Verifies and decodes an iterator. Anything this process did not issue
 * with `key` (garbled, truncated, forged, non-canonical base64, other
 * version) yields { ok: false }; it never throws for client input.
 */
export function decodeShardIterator(text: string, key: Buffer): DecodedShardIterator {
  assertKey(key);
  if (typeof text !== 'string' || text.length === 0 || text.length > ITERATOR_LENGTH_MAX) return NOT_OK;
  const token = Buffer.from(text, 'base64');
  // Node's base64 decoder skips junk characters; only the canonical form is ours.
  if (token.length > TOKEN_BYTES_MAX || token.toString('base64') !== text) return NOT_OK;
  if (token.length < FIXED_HEADER_BYTES + 3 + MAC_BYTES) return NOT_OK;
  const body = token.subarray(0, token.length - MAC_BYTES);
  const given = token.subarray(token.length - MAC_BYTES);
  if (!timingSafeEqual(given, mac(body, key))) return NOT_OK;
  return parseBody(body);
}

/** Parses a body whose MAC has been verified; still bounds-checks every field. */
function parseBody(body: Buffer): DecodedShardIterator {
  if (!body.subarray(0, PREFIX.length).equals(PREFIX) || body.readUInt8(PREFIX.length) !== ITERATOR_FORMAT_VERSION) return NOT_OK;
  const offset = body.readBigUInt64BE(PREFIX.length + 1);
  const issuedMs = body.readBigUInt64BE(PREFIX.length + 9);
  if (offset > BigInt(Number.MAX_SAFE_INTEGER) || issuedMs > BigInt(Number.MAX_SAFE_INTEGER)) return NOT_OK;
  const strings: string[] = [];
  let at = FIXED_HEADER_BYTES;
  for (let i = 0; i < 3; i++) {
    if (at >= body.length) return NOT_OK;
    const length = body.readUInt8(at);
    at += 1;
    if (at + length > body.length) return NOT_OK;
    strings.push(body.toString('utf8', at, at + length));
    at += length;
  }
  // Only the zero padding may follow the fields.
  if (body.length - at >= ALIGN_BYTES || body.subarray(at).some((b) => b !== 0)) return NOT_OK;
  const [streamName, streamId, shardId] = strings as [string, string, string];
  return { ok: true, payload: { streamName, streamId, shardId, offset: Number(offset), issuedMs: Number(issuedMs) } };
}

function mac(body: Buffer, key: Buffer): Buffer {
  return createHmac('sha256', key).update(ITERATOR_MAC_CONTEXT).update(body).digest();
}

function encodeField(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > FIELD_BYTES_MAX) throw new Error(`shard iterator field too long: ${bytes.length} bytes`);
  return Buffer.concat([Buffer.of(bytes.length), bytes]);
}

function assertUint(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`shard iterator ${name} must be a non-negative safe integer, got ${value}`);
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length < KEY_BYTES_MIN) throw new Error(`shard iterator key must be at least ${KEY_BYTES_MIN} bytes`);
}

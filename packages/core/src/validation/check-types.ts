/**
 * The first pass over a decoded request body: checks each known member's
 * JSON/CBOR type, drops unknown members and nulls (Kinesis ignores both),
 * and converts values to their in-memory form: blobs become Buffers (base64
 * decoded once, here), timestamps become epoch milliseconds, integers are
 * truncated as Kinesis' Java deserialiser does. A wrong type is a
 * SerializationException with the message Kinesis gives.
 */
import { KinesisError } from '../errors';
import { memberNames, type MemberRule, type Shape } from './shape';

const INTEGER_MAX = 2147483647;
/** Longest part of a bad blob value quoted back in an error message. */
const QUOTED_VALUE_CHARS_MAX = 128;
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_BAD_CHAR = /[^a-zA-Z0-9+/=]|=[^=]/;

/** How the body's codec writes timestamps: JSON uses epoch seconds, CBOR epoch milliseconds. */
export type TimestampUnit = 'seconds' | 'milliseconds';

/** A plain decoded object (JSON object or CBOR map). */
export type RawObject = Readonly<Record<string, unknown>>;

function serializationError(message: string): KinesisError {
  return new KinesisError('SerializationException', message);
}

/** Checks and converts `raw` (the decoded body) against `shape`. Throws SerializationException. */
export function checkTypes(raw: unknown, shape: Shape, unit: TimestampUnit): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Buffer.isBuffer(raw)) {
    throw serializationError(Array.isArray(raw) ? 'Start of list found where not expected' : 'Expected a structure');
  }
  return checkStructure(raw as RawObject, shape, unit);
}

function checkStructure(raw: RawObject, shape: Shape, unit: TimestampUnit): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of memberNames(shape)) {
    const value = raw[name];
    if (value === null || value === undefined) continue;
    out[name] = checkMember(value, shape[name]!, unit);
  }
  return out;
}

function checkMember(value: unknown, rule: MemberRule, unit: TimestampUnit): unknown {
  switch (rule.type) {
    case 'Boolean': return checkBoolean(value);
    case 'Integer':
    case 'Long': return checkNumber(value, rule.type);
    case 'String': return checkString(value);
    case 'Blob': return checkBlob(value);
    case 'Timestamp': return checkTimestamp(value, unit);
    case 'List': return checkList(value, rule, unit);
    case 'Structure': return checkNested(value, rule, unit);
    case 'Map': return checkMap(value, rule, unit);
  }
}

/** The message for an object or array where a scalar belongs. */
function containerMessage(value: object): string {
  return Array.isArray(value) ? 'Start of list found where not expected' : 'Start of structure or map found where not expected.';
}

function checkBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') throw serializationError('class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean');
  if (typeof value === 'string') throw serializationError(`'${quote(value.toUpperCase())}' can not be converted to an Boolean`);
  throw serializationError(containerMessage(value as object));
}

function checkNumber(value: unknown, type: 'Integer' | 'Long'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw serializationError(`class java.lang.String can not be converted to an ${type}`);
    const whole = Math.floor(value);
    return type === 'Integer' ? Math.min(whole, INTEGER_MAX) : whole;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') throw serializationError(`class java.lang.Boolean can not be converted to an ${type}`);
  if (typeof value === 'string') throw serializationError(`class java.lang.String can not be converted to an ${type}`);
  throw serializationError(containerMessage(value as object));
}

function checkString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to an String');
  if (typeof value === 'number' || typeof value === 'bigint') throw serializationError('class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String');
  throw serializationError(containerMessage(value as object));
}

function checkBlob(value: unknown): Buffer {
  if (typeof value === 'string') return decodeBase64Strict(value);
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to a Blob');
  if (typeof value === 'number' || typeof value === 'bigint') throw serializationError('class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob');
  throw serializationError(containerMessage(value as object));
}

function checkTimestamp(value: unknown, unit: TimestampUnit): number {
  if (typeof value === 'number' && Number.isFinite(value)) return unit === 'seconds' ? Math.round(value * 1000) : Math.floor(value);
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') throw serializationError('class java.lang.Boolean can not be converted to milliseconds since epoch');
  if (typeof value === 'string') throw serializationError('class java.lang.String can not be converted to milliseconds since epoch');
  if (typeof value === 'number') throw serializationError('class java.lang.String can not be converted to milliseconds since epoch');
  throw serializationError(containerMessage(value as object));
}

function checkList(value: unknown, rule: MemberRule, unit: TimestampUnit): unknown[] {
  if (!Array.isArray(value)) {
    if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) throw serializationError('Start of structure or map found where not expected.');
    throw serializationError('Expected list or null');
  }
  const item = rule.item;
  if (!item) throw new Error('List rule without item rule');
  // Kinesis deserialises a null list item as null; the constraint pass reports it.
  return value.map((v) => (v === null || v === undefined ? null : checkMember(v, item, unit)));
}

function checkNested(value: unknown, rule: MemberRule, unit: TimestampUnit): Record<string, unknown> {
  if (Array.isArray(value)) throw serializationError('Start of list found where not expected');
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) throw serializationError('Expected null');
  if (!rule.members) throw new Error('Structure rule without members');
  return checkStructure(value as RawObject, rule.members, unit);
}

/** A map of strings (Tags): a plain object whose values are checked against the value rule; null values dropped. */
function checkMap(value: unknown, rule: MemberRule, unit: TimestampUnit): Record<string, unknown> {
  if (Array.isArray(value)) throw serializationError('Start of list found where not expected');
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) throw serializationError('Expected map or null');
  if (!rule.value) throw new Error('Map rule without value rule');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as RawObject)) {
    if (v === null || v === undefined) continue;
    out[k] = checkMember(v, rule.value, unit);
  }
  return out;
}

/**
 * Decodes canonical padded base64 (what every SDK sends), rejecting what
 * Kinesis rejects: a length that is not a multiple of 4, a character
 * outside the alphabet or misplaced padding, and non-zero unused bits in
 * the last character (a non-canonical encoding). One pass plus the decode.
 */
export function decodeBase64Strict(text: string): Buffer {
  if (text.length % 4 !== 0) {
    throw serializationError(`'${quote(text)}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`);
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const decoded = Buffer.from(text, 'base64');
  // Node's decoder skips characters outside the alphabet and stops at '=',
  // so a full-length result means every character was valid, except for the
  // URL-safe '-' and '_' it also accepts. Only then is the slower scan for
  // the offending character needed (hot path: every record of PutRecords).
  if (decoded.length !== (text.length / 4) * 3 - padding || text.includes('-') || text.includes('_')) {
    const bad = BASE64_BAD_CHAR.exec(text);
    if (bad) throw serializationError(`'${quote(text)}' can not be converted to a Blob: Invalid Base64 character: '${bad[0][0]}'`);
  }
  if (padding > 0) {
    const last = BASE64_ALPHABET.indexOf(text[text.length - padding - 1] ?? 'A');
    const unusedBitsMask = padding === 2 ? 0x0f : 0x03;
    if (last < 0 || (last & unusedBitsMask) !== 0) {
      throw serializationError(`'${quote(text)}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`);
    }
  }
  return decoded;
}

/** A client value quoted in a message, cut to a bounded length (a record may be megabytes). */
function quote(text: string): string {
  return text.length > QUOTED_VALUE_CHARS_MAX ? text.slice(0, QUOTED_VALUE_CHARS_MAX) + '...' : text;
}

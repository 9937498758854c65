/**
 * The AWS JSON 1.1 body codec: UTF-8 JSON; blobs are standard base64
 * strings, timestamps are epoch seconds as (fractional) numbers.
 *
 * Encoding writes the response tree directly (JsonWriter) instead of first
 * copying it into a tree of strings for JSON.stringify: a GetRecords
 * response holds up to 10 MiB of blobs, and holding all their base64
 * strings at once (about 14 MB of young-generation strings) made the
 * garbage collector the largest cost of the api under load. Here each
 * blob's base64 lives only until the next flush (FLUSH_CHARS), and the
 * output is a few UTF-8 chunks joined once. Same bytes as
 * JSON.stringify would give for the converted tree: members in insertion
 * order, undefined members left out, strings escaped by JSON.stringify.
 * A value encoded ahead (preEncode) is its UTF-8 bytes, written as they are.
 */
import { isAscii } from 'node:buffer';
import type { Codec } from './codec';
import { NOT_PARSED, parseJsonBytes } from './json-bytes-parse';

export const AMZ_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Request bodies of at least this many bytes are parsed from their bytes
 * (json-bytes-parse.ts): from about 128 KiB a body's text would be one
 * string in V8's large-object space, slow to allocate; below, JSON.parse
 * of the whole text is the faster path.
 */
const BYTES_PARSE_MIN = 64 * 1024;
/** Nesting of response trees is a few levels; this bounds the walk. */
const DEPTH_MAX = 32;
/** Characters of JSON text gathered before they are encoded into a Buffer chunk. */
const FLUSH_CHARS = 64 * 1024;

/**
 * Accumulates JSON text and turns it into UTF-8 chunks every FLUSH_CHARS
 * characters. The pieces are joined once per chunk: appending each to one
 * string made a cons-string node per piece, most of a PutRecords answer's
 * garbage (about a dozen pieces per record).
 */
class JsonWriter {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private pending: string[] = [];
  private pendingChars = 0;

  add(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  addBytes(bytes: Buffer): void {
    this.flush();
    this.chunks.push(bytes);
    this.bytes += bytes.length;
  }

  finish(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
  }

  private flush(): void {
    if (this.pendingChars === 0) return;
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.pending = [];
    this.pendingChars = 0;
  }
}

/** A value's JSON text, encoded ahead (jsonCodec.preEncode). */
class EncodedJson {
  constructor(readonly bytes: Buffer) {}
}

/** Strings JSON writes as is between quotes (no escape, no lone surrogate): most of what we answer (ids, sequence numbers, names). */
const PLAIN_STRING = /^[\w\-.:/+= ]*$/;

/** JSON.stringify(text), without its set-up cost for the plain strings that make up most answers. */
function jsonString(text: string): string {
  return PLAIN_STRING.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** Member names as written (`"Name":`), made once per name: responses repeat a few names many times. */
const memberNameTexts = new Map<string, string>();
const MEMBER_NAME_TEXTS_MAX = 1_000;

function memberNameText(key: string): string {
  let text = memberNameTexts.get(key);
  if (text === undefined) {
    text = `${jsonString(key)}:`;
    if (memberNameTexts.size < MEMBER_NAME_TEXTS_MAX) memberNameTexts.set(key, text);
  }
  return text;
}

function writeValue(out: JsonWriter, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      out.add(jsonString(value));
      return;
    case 'number': case 'boolean':
      out.add(JSON.stringify(value));
      return;
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      // undefined, functions and symbols: JSON.stringify writes null inside an array (object members are skipped by the caller).
      out.add('null');
      return;
  }
  if (value === null) { out.add('null'); return; }
  if (value instanceof EncodedJson) { out.addBytes(value.bytes); return; }
  if (depth > DEPTH_MAX) throw new Error('response nests too deeply');
  if (value instanceof Uint8Array) {
    out.add(`"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"`);
    return;
  }
  if (value instanceof Date) { out.add(JSON.stringify(value.getTime() / 1000)); return; }
  if (Array.isArray(value)) {
    out.add('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.add(',');
      writeValue(out, value[i], depth + 1);
    }
    out.add(']');
    return;
  }
  let separator = '{';
  const record = value as Readonly<Record<string, unknown>>;
  // for-in rather than Object.keys: no array per object (an answer has one object per record).
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const member = record[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    out.add(separator);
    out.add(memberNameText(key));
    separator = ',';
    writeValue(out, member, depth + 1);
  }
  out.add(separator === '{' ? '{}' : '}');
}

export const jsonCodec: Codec = {
  contentType: AMZ_JSON_CONTENT_TYPE,
  timestampUnit: 'seconds',
  decode(body: Buffer): unknown {
    // Request bodies are nearly always ASCII (blobs are base64): then a Latin-1
    // read gives the same string without the cost of UTF-8 decoding.
    const ascii = isAscii(body);
    if (body.length >= BYTES_PARSE_MIN) {
      const value = parseJsonBytes(body, ascii);
      if (value !== NOT_PARSED) return value;
    }
    return JSON.parse(ascii ? body.toString('latin1') : body.toString('utf8'));
  },
  encode(value: Readonly<Record<string, unknown>>): Buffer {
    const out = new JsonWriter();
    writeValue(out, value, 0);
    return out.finish();
  },
  preEncode(value: Readonly<Record<string, unknown>>): unknown {
    const out = new JsonWriter();
    writeValue(out, value, 0);
    return new EncodedJson(out.finish());
  },
};

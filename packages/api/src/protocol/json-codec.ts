/**
 * The AWS JSON 1.1 body codec: UTF-8 JSON; blobs are standard base64
 * strings, timestamps are epoch seconds as (fractional) numbers. Encoding
 * first converts Buffers and Dates into those forms (JSON.stringify would
 * otherwise call Buffer#toJSON and write an array of numbers), then writes
 * the tree with JSON.stringify.
 */
import type { Codec } from './codec';

export const AMZ_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Nesting of response trees is a few levels; this bounds the walk. */
const DEPTH_MAX = 32;

function toJsonTree(value: unknown, depth: number): unknown {
  if (depth > DEPTH_MAX) throw new Error('response nests too deeply');
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map((v) => toJsonTree(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonTree(v, depth + 1);
  return out;
}

export const jsonCodec: Codec = {
  contentType: AMZ_JSON_CONTENT_TYPE,
  timestampUnit: 'seconds',
  decode(body: Buffer): unknown {
    return JSON.parse(body.toString('utf8'));
  },
  encode(value: Readonly<Record<string, unknown>>): Buffer {
    return Buffer.from(JSON.stringify(toJsonTree(value, 0)), 'utf8');
  },
};

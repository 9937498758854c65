/**
 * The AWS CBOR 1.1 body codec (application/x-amz-cbor-1.1), what the AWS
 * SDK for Java and the KCL send by default. The same members as JSON 1.1,
 * with two differences on the wire:
 *
 *   - blobs are CBOR byte strings (major type 2), not base64 text;
 *   - timestamps are epoch milliseconds as an integer under tag 1 (the Java
 *     SDK writes `tag(1) long millis`, and reads any number as millis).
 *     Untagged numbers in timestamp members are read as milliseconds too.
 *
 * Maps are decoded as plain objects (`__proto__` keys are renamed by the
 * decoder, so a body cannot change prototypes); byte strings are views of
 * the request body, not copies. Responses: undefined members are left out
 * (as in JSON; cbor-x would write CBOR `undefined`), Buffers are byte
 * strings, Dates tag 1 + integer millis. Errors use the same map shape
 * as JSON: {"__type": ..., "message": ...}.
 */
import type { Codec } from './codec';

/**
 * The part of cbor-x used here. cbor-x's type declarations resolve to its ES
 * module build under Node16 resolution, which a CommonJS package cannot
 * import; its CommonJS build is loaded with require and typed by this.
 */
interface CborX {
  Decoder: new (options: Readonly<Record<string, unknown>>) => { decode(body: Uint8Array): unknown };
  Encoder: new (options: Readonly<Record<string, unknown>>) => { encode(value: unknown): Buffer };
  addExtension(extension: {
    Class: new (...args: never[]) => unknown; tag: number;
    encode(value: never, encode: (value: unknown) => Uint8Array): Uint8Array;
    decode(value: unknown): unknown;
  }): void;
}
const { Decoder, Encoder, addExtension } = require('cbor-x') as CborX;

export const AMZ_CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';

/** CBOR tag of "epoch-based date/time" (RFC 8949 3.4.2); AWS puts milliseconds under it. */
const EPOCH_TAG = 1;

// cbor-x keeps tag extensions per process; this one replaces its default Date handling (seconds) with AWS's millis.
addExtension({
  Class: Date,
  tag: EPOCH_TAG,
  encode: (date: Date, encode: (value: bigint) => Uint8Array) => encode(BigInt(date.getTime())),
  decode: (value: unknown) => new Date(Number(value)),
});

const decoder = new Decoder({ mapsAsObjects: true, useRecords: false, int64AsNumber: true });
const encoder = new Encoder({ mapsAsObjects: true, useRecords: false, tagUint8Array: false, variableMapSize: true });
/** Nesting of response trees is a few levels; this bounds the walk. */
const DEPTH_MAX = 32;

/** `value` without undefined object members; objects and arrays are copied only where something is left out. */
function withoutUndefined(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || value instanceof Date) return value;
  if (depth > DEPTH_MAX) throw new Error('response nests too deeply');
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = withoutUndefined(value[i], depth + 1);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  const record = value as Readonly<Record<string, unknown>>;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const member = record[key];
    const cleaned = member === undefined ? undefined : withoutUndefined(member, depth + 1);
    if (member === undefined || cleaned !== member) {
      out ??= { ...record };
      if (member === undefined) delete out[key]; else out[key] = cleaned;
    }
  }
  return out ?? value;
}

export const cborCodec: Codec = {
  contentType: AMZ_CBOR_CONTENT_TYPE,
  timestampUnit: 'milliseconds',
  decode(body: Buffer): unknown {
    return decoder.decode(body);
  },
  encode(value: Readonly<Record<string, unknown>>): Buffer {
    return encoder.encode(withoutUndefined(value, 0));
  },
};

/**
 * A body codec of the AWS protocols Kinesis speaks. JSON 1.1 is here; CBOR
 * 1.1 (what Java SDKs and the KCL send) plugs in as another Codec.
 */
import type { TimestampUnit } from '@shoal/core';

export interface Codec {
  /** Content type of responses this codec writes. */
  readonly contentType: string;
  /** How this codec writes timestamps (JSON: epoch seconds, CBOR: epoch milliseconds). */
  readonly timestampUnit: TimestampUnit;
  /** The decoded body; throws on malformed input (the dispatcher answers SerializationException). */
  decode(body: Buffer): unknown;
  /** Encodes a response or error body: Buffers are blobs, Dates are timestamps. */
  encode(value: Readonly<Record<string, unknown>>): Buffer;
  /**
   * A member value encoded ahead of time, which encode() then writes as is
   * wherever it meets it: what many answers share is encoded once (the
   * records of SubscribeToShard events, fanout/event-records.ts). A codec
   * without it encodes each value every time.
   */
  preEncode?(value: Readonly<Record<string, unknown>>): unknown;
}

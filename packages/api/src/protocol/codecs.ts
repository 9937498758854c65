/**
 * Which body protocol a request speaks, by its Content-Type (parameters
 * such as charset ignored, surrounding spaces ignored, case-insensitive):
 *
 *   application/x-amz-json-1.1   JSON 1.1 (the AWS CLI, boto3, the JS and other SDKs)
 *   application/x-amz-cbor-1.1   CBOR 1.1 (the Java SDKs and the KCL)
 *   application/json             the deprecated JSON form: Kinesis parses the body and then
 *                                answers every call UnknownOperationException in its
 *                                {"Output": ..., "Version": "1.0"} envelope (protocol-edge.ts)
 *
 * Anything else (application/x-amz-json-1.0 included) is not a body Kinesis reads.
 */
import { AMZ_CBOR_CONTENT_TYPE, cborCodec } from './cbor-codec';
import type { Codec } from './codec';
import { AMZ_JSON_CONTENT_TYPE, jsonCodec } from './json-codec';

export type BodyProtocol = 'json' | 'cbor' | 'json-deprecated';

export const DEPRECATED_JSON_CONTENT_TYPE = 'application/json';

const PROTOCOLS: ReadonlyMap<string, BodyProtocol> = new Map([
  [AMZ_JSON_CONTENT_TYPE, 'json'],
  [AMZ_CBOR_CONTENT_TYPE, 'cbor'],
  [DEPRECATED_JSON_CONTENT_TYPE, 'json-deprecated'],
]);

/** The protocol of a Content-Type header, or undefined if it is not one Kinesis reads. */
export function protocolOf(contentTypeHeader: string | undefined): BodyProtocol | undefined {
  const type = (contentTypeHeader ?? '').split(';')[0]!.trim().toLowerCase();
  return PROTOCOLS.get(type);
}

/** The codec that reads a protocol's bodies (the deprecated JSON form is JSON). */
export function codecOf(protocol: BodyProtocol): Codec {
  return protocol === 'cbor' ? cborCodec : jsonCodec;
}

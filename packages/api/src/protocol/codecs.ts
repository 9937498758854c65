/**
 * Which codec reads a request, by its Content-Type (parameters such as
 * charset ignored). application/json is treated as JSON 1.1; CBOR comes
 * in a later change.
 */
import type { Codec } from './codec';
import { AMZ_JSON_CONTENT_TYPE, jsonCodec } from './json-codec';

const CODECS: ReadonlyMap<string, Codec> = new Map([
  [AMZ_JSON_CONTENT_TYPE, jsonCodec],
  ['application/json', jsonCodec],
]);

/** The codec for a Content-Type header, or undefined if it is not one we speak. */
export function codecFor(contentTypeHeader: string | undefined): Codec | undefined {
  const type = (contentTypeHeader ?? '').split(';')[0]!.trim().toLowerCase();
  return CODECS.get(type);
}

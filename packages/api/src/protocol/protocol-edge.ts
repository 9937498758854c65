/**
 * The protocol edge: how Kinesis answers requests before any operation
 * runs, as recorded from the real service (kinesalite's test/connection.js
 * is the oracle). In order:
 *
 *   1. Origin header: CORS. OPTIONS with Origin is a preflight (200, empty);
 *      other answers carry Access-Control-Allow-Origin and -Expose-Headers.
 *   2. A method other than POST: 403 AccessDeniedException (XML).
 *   3. An empty body: 400 in JSON 1.1 if that was the content type, else in
 *      CBOR: SerializationException for a known operation, else
 *      UnknownOperationException.
 *   4. A content type Kinesis does not read: the signature's presence and
 *      form are checked, then the target decides (XML, no content type):
 *      403 AccessDeniedException (no service/operation), 403
 *      UnrecognizedClientException (another service), 500 InternalFailure
 *      (Kinesis with an unknown operation), 404 UnknownOperationException.
 *   5. application/json: the body must parse (400 SerializationException),
 *      then 404 UnknownOperationException, both in the deprecated
 *      {"Output": {"__type": "com.amazon.coral.service#..."}, "Version": "1.0"} form.
 *   6. JSON 1.1 / CBOR 1.1: a body that does not parse or is not a map:
 *      SerializationException; an unknown target: UnknownOperationException;
 *      then authentication, validation and the operation (dispatcher.ts).
 */
import { KinesisError } from '@shoal/core';
import type { ApiRequest } from '../dispatcher';
import { readSignature } from '../auth/sigv4-request';
import { KINESIS_TARGET_PREFIX } from './target';

/** Headers a browser may read from our answers (what Kinesis sends). */
const CORS_EXPOSE_HEADERS = 'x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date';
/** How long a browser may cache a preflight answer, in seconds (Kinesis: 2 days). */
const CORS_MAX_AGE_SEC = 172800;
/** The coral namespace of the deprecated application/json answers. */
const CORAL_NAMESPACE = 'com.amazon.coral.service#';

export const ACCESS_DENIED_NO_OPERATION = 'Unable to determine service/operation name to be authorized';

/** An answer made at the edge: status, headers beside the request id, body. */
export interface EdgeAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** A preflight answer carries no x-amz-id-2. */
  readonly preflight?: boolean;
}

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The CORS headers of a non-preflight answer (none without Origin). */
export function corsHeaders(req: ApiRequest): Record<string, string> {
  return header(req, 'origin') !== undefined ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': CORS_EXPOSE_HEADERS } : {};
}

/** The answer to OPTIONS with Origin (a CORS preflight), or undefined for any other request. */
export function preflightAnswer(req: ApiRequest): EdgeAnswer | undefined {
  if (req.method !== 'OPTIONS' || header(req, 'origin') === undefined) return undefined;
  const headers: Record<string, string> = { 'access-control-allow-origin': '*', 'access-control-max-age': String(CORS_MAX_AGE_SEC) };
  const requestHeaders = header(req, 'access-control-request-headers');
  const requestMethod = header(req, 'access-control-request-method');
  if (requestHeaders !== undefined) headers['access-control-allow-headers'] = requestHeaders;
  if (requestMethod !== undefined) headers['access-control-allow-methods'] = requestMethod;
  return { status: 200, headers, body: Buffer.alloc(0), preflight: true };
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An error in the XML form Kinesis uses when it cannot tell the protocol (no content type). */
export function xmlError(status: number, type: string, message?: string): EdgeAnswer {
  const body = message === undefined ? `<${type}/>\n` : `<${type}>\n  <Message>${xmlEscape(message)}</Message>\n</${type}>\n`;
  return { status, headers: {}, body: Buffer.from(body, 'utf8') };
}

/** An error in the deprecated application/json envelope. */
export function deprecatedJsonError(status: number, type: string): EdgeAnswer {
  const body = JSON.stringify({ Output: { __type: `${CORAL_NAMESPACE}${type}` }, Version: '1.0' });
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(body, 'utf8') };
}

/** `Service.Operation` of an X-Amz-Target header, split at the first dot (either part may be empty). */
function targetParts(target: string | undefined): { service: string; operation: string } {
  const text = target ?? '';
  const dot = text.indexOf('.');
  return dot < 0 ? { service: text, operation: '' } : { service: text.slice(0, dot), operation: text.slice(dot + 1).split('.')[0]! };
}

/**
 * The answer to a request with a body in a content type Kinesis does not
 * read (step 4 above). `known(operation)` tells whether Kinesis has it.
 */
export function unreadableContentAnswer(req: ApiRequest, known: (operation: string) => boolean): EdgeAnswer {
  try {
    readSignature(req);
  } catch (err) {
    if (err instanceof KinesisError) return xmlError(403, err.type, err.message);
    throw err;
  }
  const { service, operation } = targetParts(header(req, 'x-amz-target'));
  if (service === '' || operation === '') return xmlError(403, 'AccessDeniedException', ACCESS_DENIED_NO_OPERATION);
  if (service !== KINESIS_TARGET_PREFIX) return xmlError(403, 'UnrecognizedClientException', `No authorization strategy was found for service: ${service}, operation: ${operation}`);
  return known(operation) ? xmlError(404, 'UnknownOperationException') : xmlError(500, 'InternalFailure');
}

/**
 * Reads the SigV4 signature of a request, from its Authorization header
 * or its query string (presigned), and checks that it is complete and well
 * formed, answering as Kinesis does when it is not (the answers of
 * kinesalite's test/connection.js, recorded from the real service):
 *
 *   neither header nor query           MissingAuthenticationTokenException "Missing Authentication Token"
 *   both                               InvalidSignatureException "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
 *   header without Credential, Signature, SignedHeaders or a date header
 *                                      IncompleteSignatureException "Authorization header requires '...' parameter. ... Authorization=<header>"
 *   query without one of the five X-Amz-* parameters
 *                                      IncompleteSignatureException "AWS query-string parameters must include '...'. ... Re-examine the query-string parameters."
 *
 * then the form of each part (algorithm, the five elements of the
 * credential scope, the ISO-8601 basic date and that the scope's date is
 * the request's date). Checking the signature itself is sigv4-verifier.ts.
 */
import { KinesisError } from '@shoal/core';
import type { ApiRequest } from '../dispatcher';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const KINESIS_SIGNING_SERVICE = 'kinesis';
const SCOPE_TERMINATOR = 'aws4_request';
const ISO_BASIC_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const QUERY_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'] as const;
const HEADER_PARAMS = ['Credential', 'Signature', 'SignedHeaders'] as const;

/** A request's signature, complete and well formed (not yet verified). */
export interface SignatureParts {
  readonly location: 'header' | 'query';
  readonly accessKeyId: string;
  /** Credential scope: YYYYMMDD, region, service. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** Lower-cased names, in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** The signing time as the client wrote it (YYYYMMDDTHHMMSSZ) and as a Date. */
  readonly amzDate: string;
  readonly signingDate: Date;
  /** Query signing: X-Amz-Expires in seconds, when given. */
  readonly expiresSec?: number;
  /** The request's query parameters (empty when it has none). */
  readonly query: URLSearchParams;
}

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function queryOf(req: ApiRequest): URLSearchParams {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  return new URLSearchParams(at >= 0 ? url.slice(at + 1) : '');
}

function incomplete(message: string): KinesisError {
  return new KinesisError('IncompleteSignatureException', message);
}

function invalid(message: string): KinesisError {
  return new KinesisError('InvalidSignatureException', message);
}

/** Authorization header parameters: `ALG Credential=..., SignedHeaders=..., Signature=...` (commas or spaces between). */
function headerParams(authorization: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of authorization.split(/,| /).slice(1)) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    params.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return params;
}

/**
 * The signing time: X-Amz-Date in ISO-8601 basic format, or (header signing
 * without X-Amz-Date) an HTTP Date header such as "Mon, 01 Jan 2024 00:00:00 GMT".
 */
function signingDateOf(text: string): { amzDate: string; date: Date } {
  const m = ISO_BASIC_DATE.exec(text);
  const date = m
    ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])))
    : /GMT$/.test(text) ? new Date(Date.parse(text)) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${text}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  return { amzDate: m ? text : date.toISOString().replace(/[-:]|\.\d{3}/g, ''), date };
}

interface RawSignature {
  readonly location: 'header' | 'query';
  readonly algorithm: string;
  readonly credential: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly date: string;
  readonly expires?: string;
}

/** The signature's parameters, or the Kinesis answer for a missing or incomplete one. */
function rawSignature(req: ApiRequest, query: URLSearchParams): RawSignature {
  const authorization = header(req, 'authorization');
  const byQuery = query.has('X-Amz-Algorithm');
  if (authorization !== undefined && byQuery) throw invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  if (authorization === undefined && !byQuery) throw new KinesisError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (authorization !== undefined) {
    const params = headerParams(authorization);
    const date = header(req, 'x-amz-date') ?? header(req, 'date');
    let message = HEADER_PARAMS.filter((p) => !params.get(p)).map((p) => `Authorization header requires '${p}' parameter. `).join('');
    if (!date) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    if (message) throw incomplete(`${message}Authorization=${authorization}`);
    return {
      location: 'header', algorithm: authorization.split(/[ ,]/)[0]!, credential: params.get('Credential')!,
      signedHeaders: params.get('SignedHeaders')!, signature: params.get('Signature')!, date: date!,
    };
  }
  const message = QUERY_PARAMS.filter((p) => !query.get(p)).map((p) => `AWS query-string parameters must include '${p}'. `).join('');
  if (message) throw incomplete(`${message}Re-examine the query-string parameters.`);
  const expires = query.get('X-Amz-Expires');
  return {
    location: 'query', algorithm: query.get('X-Amz-Algorithm')!, credential: query.get('X-Amz-Credential')!,
    signedHeaders: query.get('X-Amz-SignedHeaders')!, signature: query.get('X-Amz-Signature')!, date: query.get('X-Amz-Date')!,
    ...(expires !== null ? { expires } : {}),
  };
}

/** Reads and checks the form of a request's signature; throws the Kinesis error for a missing, incomplete or malformed one. */
export function readSignature(req: ApiRequest): SignatureParts {
  const query = queryOf(req);
  const raw = rawSignature(req, query);
  if (raw.algorithm !== SIGV4_ALGORITHM) {
    throw incomplete(raw.location === 'query' ? `X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"` : `Unsupported AWS 'algorithm': '${raw.algorithm}'`);
  }
  const scope = raw.credential.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) {
    throw incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${raw.credential}'`);
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string];
  if (terminator !== SCOPE_TERMINATOR) throw invalid(`Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${terminator}'. `);
  if (service !== KINESIS_SIGNING_SERVICE) throw invalid(`Credential should be scoped to correct service: '${KINESIS_SIGNING_SERVICE}'. `);
  const { amzDate, date } = signingDateOf(raw.date);
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw invalid(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }
  let expiresSec: number | undefined;
  if (raw.expires !== undefined) {
    expiresSec = /^\d{1,7}$/.test(raw.expires) ? Number(raw.expires) : NaN;
    if (!Number.isFinite(expiresSec)) throw incomplete(`X-Amz-Expires should be a number, not '${raw.expires}'.`);
  }
  return {
    location: raw.location, accessKeyId, scopeDate, region, service,
    signedHeaders: raw.signedHeaders.split(';').map((h) => h.trim().toLowerCase()).filter((h) => h !== ''),
    signature: raw.signature, amzDate, signingDate: date, ...(expiresSec !== undefined ? { expiresSec } : {}), query,
  };
}

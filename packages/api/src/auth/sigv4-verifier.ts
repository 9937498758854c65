/**
 * Checks a well-formed SigV4 signature (sigv4-request.ts) against the
 * secret of its access key: the expected signature is computed by the AWS
 * SDK's own signer (@smithy/signature-v4) over the request as received,
 * never by a signer of our own.
 *
 *   - The canonical request uses exactly the headers the client listed in
 *     SignedHeaders, with their received values. `host` falls back to the
 *     HTTP/2 `:authority` and back (the JS SDK v3 signs `:authority` over
 *     HTTP/2; boto3 and the CLI sign `host`).
 *   - The payload hash is the SHA-256 of the received body. A signed
 *     `x-amz-content-sha256` header must equal it (the signer trusts that
 *     header, so it is checked here first).
 *   - Query signing (presigned requests) is checked with `presign`, over the
 *     body hash, or UNSIGNED-PAYLOAD as botocore signs query requests.
 *   - The signing time must be within SIGNATURE_SKEW_MS_MAX of now (for
 *     query signing: not yet expired by X-Amz-Expires).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { KinesisError } from '@shoal/core';
import { NodeSha256 } from '@shoal/wire';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ApiRequest } from '../dispatcher';
import type { SignatureParts } from './sigv4-request';

/** Largest difference between the signing time and the server's clock (AWS: 15 minutes). */
export const SIGNATURE_SKEW_MS_MAX = 15 * 60 * 1000;
/** Longest X-Amz-Expires of a presigned request (SigV4: 7 days). */
export const PRESIGNED_EXPIRES_SEC_MAX = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const CONTENT_SHA256 = 'x-amz-content-sha256';
const QUERY_SIGNATURE_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']);

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** An identity's signing secret. */
export interface SigningSecret {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

function headerValue(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  const value = Array.isArray(v) ? v.join(',') : v;
  if (value !== undefined) return value;
  if (name === 'host') return headerValue(req, ':authority');
  if (name === ':authority') return typeof req.headers['host'] === 'string' ? req.headers['host'] : undefined;
  return undefined;
}

function skewMessage(parts: SignatureParts, nowMs: number): string | undefined {
  const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  const signed = parts.signingDate.getTime();
  if (parts.location === 'query') {
    const expiresSec = parts.expiresSec ?? 0;
    if (expiresSec < 1 || expiresSec > PRESIGNED_EXPIRES_SEC_MAX) return `X-Amz-Expires must be between 1 and ${PRESIGNED_EXPIRES_SEC_MAX} seconds.`;
    if (nowMs > signed + expiresSec * 1000) return `Signature expired: ${parts.amzDate} is now earlier than ${stamp(nowMs - expiresSec * 1000)} (${stamp(nowMs)} - ${expiresSec} sec.)`;
  } else if (signed < nowMs - SIGNATURE_SKEW_MS_MAX) {
    return `Signature expired: ${parts.amzDate} is now earlier than ${stamp(nowMs - SIGNATURE_SKEW_MS_MAX)} (${stamp(nowMs)} - 15 min.)`;
  }
  if (signed > nowMs + SIGNATURE_SKEW_MS_MAX) {
    return `Signature not yet current: ${parts.amzDate} is still later than ${stamp(nowMs + SIGNATURE_SKEW_MS_MAX)} (${stamp(nowMs)} + 15 min.)`;
  }
  return undefined;
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

interface CanonicalInput {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function canonicalInput(req: ApiRequest, parts: SignatureParts): CanonicalInput {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  let path = at >= 0 ? url.slice(0, at) : url;
  try { path = decodeURIComponent(path); } catch { /* keep the raw path: the signature will not match */ }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of parts.query) {
    if (parts.location === 'query' && QUERY_SIGNATURE_PARAMS.has(k)) continue;
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of parts.signedHeaders) {
    const value = headerValue(req, name);
    if (value !== undefined) headers[name] = value;
  }
  return { method: req.method ?? 'POST', hostname: headerValue(req, 'host') ?? 'localhost', path: path === '' ? '/' : path, query, headers, body: req.body };
}

/** The signature the client should have sent, as the AWS SDK's signer computes it. */
async function expectedSignatures(req: ApiRequest, parts: SignatureParts, secret: SigningSecret): Promise<string[]> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey },
    region: parts.region, service: parts.service, sha256: NodeSha256, applyChecksum: false,
  });
  const input = canonicalInput(req, parts);
  const base = { method: input.method, protocol: 'https:', hostname: input.hostname, path: input.path, query: input.query, body: input.body };
  const signable = new Set(parts.signedHeaders);
  if (parts.location === 'header') {
    const signed = await signer.sign({ ...base, headers: input.headers }, { signingDate: parts.signingDate, signableHeaders: signable });
    const m = /Signature=([0-9a-f]+)/.exec(String(signed.headers['authorization']));
    return m ? [m[1]!] : [];
  }
  const names = new Set(Object.keys(input.headers));
  const out: string[] = [];
  for (const payload of [undefined, UNSIGNED_PAYLOAD]) {
    const headers = payload === undefined ? input.headers : { ...input.headers, [CONTENT_SHA256]: payload };
    const presigned = await signer.presign({ ...base, headers }, {
      signingDate: parts.signingDate, expiresIn: parts.expiresSec ?? 0, signableHeaders: signable,
      unhoistableHeaders: new Set([...names, CONTENT_SHA256]), unsignableHeaders: payload === undefined ? undefined : new Set([CONTENT_SHA256]),
    });
    const signature = presigned.query?.['X-Amz-Signature'];
    if (typeof signature === 'string') out.push(signature);
  }
  return out;
}

/** Throws InvalidSignatureException unless the request is signed with `secret` within the allowed time. */
export async function verifySignature(req: ApiRequest, parts: SignatureParts, secret: SigningSecret, nowMs: number): Promise<void> {
  if (!parts.signedHeaders.includes('host') && !parts.signedHeaders.includes(':authority')) {
    throw new KinesisError('InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const skew = skewMessage(parts, nowMs);
  if (skew !== undefined) throw new KinesisError('InvalidSignatureException', skew);
  const claimedHash = parts.signedHeaders.includes(CONTENT_SHA256) ? headerValue(req, CONTENT_SHA256) : undefined;
  if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(req.body).digest('hex')) {
    throw new KinesisError('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const expected = await expectedSignatures(req, parts, secret);
  if (!expected.some((e) => sameSignature(e, parts.signature))) throw new KinesisError('InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
}

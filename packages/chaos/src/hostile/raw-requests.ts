/**
 * Sends one raw Kinesis request over HTTP/1.1 (a fresh connection each
 * time) or HTTP/2 (one session per endpoint, reopened when it dies) and
 * returns the answer: status, error type (`__type`, without a namespace
 * prefix) and message, or the transport error. Requests carry a SigV4
 * signature made by the AWS SDK's signer (Kinesis answers unsigned ones
 * MissingAuthenticationTokenException before looking at their input).
 */
import { request as http1Request } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 as Sha256 } from '@shoal/wire';
import type { GotAnswer } from '../history/robustness-format';
import { JSON_CONTENT_TYPE, type RawRequest } from './bad-input-corpus';

export const HOSTILE_REQUEST_TIMEOUT_MS = 10_000;

function answerOf(status: number | undefined, body: string): GotAnswer {
  try {
    const parsed = JSON.parse(body) as { __type?: unknown; message?: unknown; Message?: unknown };
    const type = typeof parsed.__type === 'string' ? parsed.__type.replace(/^.*#/, '') : undefined;
    const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : undefined;
    return { ...(status !== undefined ? { status } : {}), ...(type ? { type } : {}), ...(message !== undefined ? { message } : {}) };
  } catch {
    return { ...(status !== undefined ? { status } : {}), message: body.slice(0, 200) };
  }
}

const signer = new SignatureV4({ credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos' }, region: 'us-east-1', service: 'kinesis', sha256: Sha256, applyChecksum: false });

/** The request's headers, signed over `host` (HTTP/1.1) or `:authority` (HTTP/2) as the SDKs sign them. */
async function headersOf(r: RawRequest, authority: { name: 'host' | ':authority'; value: string }, body: Buffer): Promise<Record<string, string>> {
  const headers = { 'content-type': r.contentType ?? JSON_CONTENT_TYPE, ...(r.target !== null ? { 'x-amz-target': r.target } : {}), ...r.headers };
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: authority.value, path: '/', headers: { ...headers, [authority.name]: authority.value }, body });
  const { [authority.name]: _authority, ...rest } = signed.headers as Record<string, string>;
  return rest;
}

export async function sendHttp1(endpoint: string, r: RawRequest): Promise<GotAnswer> {
  const url = new URL(endpoint);
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  const signed = await headersOf(r, { name: 'host', value: url.host }, body);
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: GotAnswer): void => { if (!done) { done = true; resolve(a); } };
    const req = http1Request({
      host: url.hostname, port: url.port, method: 'POST', path: '/', agent: false,
      headers: { ...signed, host: url.host, 'content-length': String(body.length) }, timeout: HOSTILE_REQUEST_TIMEOUT_MS,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(answerOf(res.statusCode, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', (err) => finish({ error: err.message }));
    });
    req.on('timeout', () => { req.destroy(new Error('timeout')); });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
    req.end(body);
  });
}

/** One HTTP/2 session per endpoint. */
export class Http2Sessions {
  private readonly sessions = new Map<string, ClientHttp2Session>();

  private session(endpoint: string): ClientHttp2Session {
    let s = this.sessions.get(endpoint);
    if (!s || s.closed || s.destroyed) {
      s = http2Connect(endpoint);
      s.on('error', () => undefined);
      s.unref();
      this.sessions.set(endpoint, s);
    }
    return s;
  }

  async send(endpoint: string, r: RawRequest): Promise<GotAnswer> {
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
    const signed = await headersOf(r, { name: ':authority', value: new URL(endpoint).host }, body);
    return new Promise((resolve) => {
      let done = false;
      const finish = (a: GotAnswer): void => { if (!done) { done = true; clearTimeout(timer); resolve(a); } };
      const timer = setTimeout(() => { stream.close(); finish({ error: 'timeout' }); }, HOSTILE_REQUEST_TIMEOUT_MS);
      const stream = this.session(endpoint).request({ ':method': 'POST', ':path': '/', ...signed, 'content-length': String(body.length) });
      let status: number | undefined;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => { status = Number(h[':status']); });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => finish(answerOf(status, Buffer.concat(chunks).toString('utf8'))));
      stream.on('error', (err: NodeJS.ErrnoException) => finish(status !== undefined ? answerOf(status, Buffer.concat(chunks).toString('utf8')) : { error: err.code ?? err.message }));
      stream.on('close', () => finish(status !== undefined ? answerOf(status, Buffer.concat(chunks).toString('utf8')) : { error: 'stream closed without an answer' }));
      stream.end(body);
    });
  }

  close(): void {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }
}

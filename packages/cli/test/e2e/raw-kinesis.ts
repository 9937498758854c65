/**
 * Raw Kinesis requests for the cases SDKs never send (missing, incomplete,
 * stale or query-string signatures), signed where asked with the AWS SDK's
 * own signer, and a TLS probe that reports the protocol ALPN settled on.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 as Sha256 } from '@shoal/wire';


export interface RawCall {
  /** Operation name (X-Amz-Target Kinesis_20131202.<target>). */
  readonly target: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sign the Authorization header with this key (at `signedAt`, default now). */
  readonly signWith?: { accessKeyId: string; secretAccessKey: string };
  readonly signedAt?: Date;
  /** Sign in the query string instead (a presigned request). */
  readonly presignWith?: { accessKeyId: string; secretAccessKey: string };
}

export async function rawKinesisCall(endpoint: string, call: RawCall): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(endpoint);
  const body = Buffer.from(call.body);
  let headers: Record<string, string> = {
    host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${call.target}`, ...(call.headers ?? {}),
  };
  let path = '/';
  const key = call.signWith ?? call.presignWith;
  if (key) {
    const signer = new SignatureV4({ credentials: key, region: 'us-east-1', service: 'kinesis', sha256: Sha256, applyChecksum: false });
    const req = { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body };
    if (call.signWith) {
      headers = (await signer.sign(req, { signingDate: call.signedAt ?? new Date() })).headers as Record<string, string>;
    } else {
      const presigned = await signer.presign(req, { expiresIn: 300, unhoistableHeaders: new Set(Object.keys(headers)) });
      path = `/?${new URLSearchParams(presigned.query as Record<string, string>).toString()}`;
    }
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Connects with TLS, verifying the server against `caPath` for `host`, and returns the ALPN protocol chosen. */
export function tlsAlpn(host: string, port: number, caPath: string, protocols: string[]): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, ca: readFileSync(caPath), ALPNProtocols: protocols, servername: host.includes(':') ? undefined : host }, () => {
      const chosen = socket.alpnProtocol ?? false;
      socket.end();
      resolve(chosen);
    });
    socket.on('error', reject);
  });
}

/**
 * Signatures for raw test requests. `UNVERIFIED_SIGNATURE` is a complete,
 * well-formed SigV4 Authorization (what the api requires with --auth none,
 * where the signature itself is not checked); `signRequest` signs for real
 * with the AWS SDK's signer (for --auth sigv4).
 */
import { NodeSha256 as Sha256 } from '@shoal/wire';
import { SignatureV4 } from '@smithy/signature-v4';

export const UNVERIFIED_SIGNATURE: Readonly<Record<string, string>> = {
  authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000',
  'x-amz-date': '20240101T000000Z',
};


export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region?: string;
}

/**
 * The headers of a request signed (Authorization header) as the SDKs sign it; `contentSha256` adds and signs
 * x-amz-content-sha256 as the JS SDK does (boto3 and the CLI do not).
 */
export async function signRequest(key: SigningKey, host: string, headers: Readonly<Record<string, string>>, body: Buffer, signingDate = new Date(), contentSha256 = false): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: key, region: key.region ?? 'us-east-1', service: 'kinesis', sha256: Sha256, applyChecksum: contentSha256 });
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: host.split(':')[0]!, port: Number(host.split(':')[1] ?? 80), path: '/', headers: { ...headers, host }, body }, { signingDate });
  return signed.headers as Record<string, string>;
}

/** A presigned (query-string) URL path for a POST as the SDK's presign writes it, with the headers it keeps. */
export async function presignRequest(key: SigningKey, host: string, headers: Readonly<Record<string, string>>, body: Buffer, expiresIn = 300, signingDate = new Date()): Promise<{ path: string; headers: Record<string, string> }> {
  const signer = new SignatureV4({ credentials: key, region: key.region ?? 'us-east-1', service: 'kinesis', sha256: Sha256 });
  const names = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  const req = await signer.presign({ method: 'POST', protocol: 'http:', hostname: host.split(':')[0]!, path: '/', headers: { ...headers, host }, body }, { signingDate, expiresIn, unhoistableHeaders: names });
  const query = new URLSearchParams(req.query as Record<string, string>).toString();
  return { path: `/?${query}`, headers: req.headers as Record<string, string> };
}

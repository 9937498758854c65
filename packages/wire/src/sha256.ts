/**
 * The hash interface of @smithy/signature-v4 (`sha256`) over node:crypto:
 * SHA-256, or HMAC-SHA-256 with a key. The api verifies signatures with it;
 * test clients and the chaos suite's raw requests sign with it.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The signer's hash interface over node:crypto (SHA-256, or HMAC-SHA-256 with a key): `sha256` of @smithy/signature-v4. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret !== undefined ? createHmac('sha256', bytesOf(secret)) : createHash('sha256');
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

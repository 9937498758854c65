/**
 * A Kinesis client that speaks as the AWS SDK for Java does by default:
 * POST / with Content-Type application/x-amz-cbor-1.1, X-Amz-Target
 * Kinesis_20131202.<Operation>, a SigV4 Authorization over host,
 * content-type, x-amz-date and x-amz-target, and a CBOR body written like
 * Jackson's CBOR generator (indefinite-length maps and arrays, definite
 * strings, blobs as byte strings, timestamps as tag 1 + 64-bit epoch
 * milliseconds). Its CBOR reader and writer are written here, independent
 * of the server's codec, so a test cannot pass by sharing a mistake.
 */
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 as Sha256 } from '@shoal/wire';

/** A timestamp member (written as tag 1 + epoch millis). */
export class Timestamp {
  constructor(readonly ms: number) {}
}

/** A decoded tagged value the reader does not interpret. */
export interface Tagged { readonly tag: number; readonly value: unknown }

function head(major: number, n: number | bigint): Buffer {
  const v = BigInt(n);
  if (v < 24n) return Buffer.from([(major << 5) | Number(v)]);
  if (v < 256n) return Buffer.from([(major << 5) | 24, Number(v)]);
  if (v < 65536n) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(Number(v), 1); return b; }
  if (v < 4294967296n) { const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(Number(v), 1); return b; }
  const b = Buffer.alloc(9); b[0] = (major << 5) | 27; b.writeBigUInt64BE(v, 1); return b;
}

/** Writes a value as Jackson's CBORGenerator does for the AWS SDK for Java. */
export function writeCbor(value: unknown): Buffer {
  if (value === null || value === undefined) return Buffer.from([0xf6]);
  if (typeof value === 'boolean') return Buffer.from([value ? 0xf5 : 0xf4]);
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value >= 0 ? head(0, value) : head(1, -1 - value);
    const b = Buffer.alloc(9); b[0] = 0xfb; b.writeDoubleBE(value, 1); return b;
  }
  if (typeof value === 'string') { const s = Buffer.from(value, 'utf8'); return Buffer.concat([head(3, s.length), s]); }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Timestamp) {
    // Jackson writeTag(1) then writeNumber(long): a 64-bit integer for any current epoch millis.
    const b = Buffer.alloc(10);
    b[0] = 0xc1;
    b[1] = 0x1b;
    b.writeBigUInt64BE(BigInt(value.ms), 2);
    return b;
  }
  if (Array.isArray(value)) return Buffer.concat([Buffer.from([0x9f]), ...value.map(writeCbor), Buffer.from([0xff])]);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return Buffer.concat([Buffer.from([0xbf]), ...entries.flatMap(([k, v]) => [writeCbor(k), writeCbor(v)]), Buffer.from([0xff])]);
}

/** Reads one CBOR item (enough of RFC 8949 for AWS answers). Tags come back as {tag, value}. */
export function readCbor(bytes: Buffer): unknown {
  let at = 0;
  const arg = (info: number): number | bigint => {
    if (info < 24) return info;
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 8;
    const v = size === 8 ? bytes.readBigUInt64BE(at) : bytes.readUIntBE(at, size);
    at += size;
    return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const item = (): unknown => {
    const first = bytes[at++]!;
    const major = first >> 5;
    const info = first & 31;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info === 25) { at += 2; return bytes.readUInt16BE(at - 2); }
      if (info === 26) { at += 4; return bytes.readFloatBE(at - 4); }
      if (info === 27) { at += 8; return bytes.readDoubleBE(at - 8); }
      throw new Error(`unexpected simple value ${info}`);
    }
    const indefinite = info === 31;
    const n = indefinite ? -1 : Number(arg(info));
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2: case 3: {
        if (indefinite) throw new Error('indefinite strings are not expected in answers');
        const s = bytes.subarray(at, at + n);
        at += n;
        return major === 2 ? Buffer.from(s) : s.toString('utf8');
      }
      case 4: {
        const out: unknown[] = [];
        while (indefinite ? bytes[at] !== 0xff : out.length < n) out.push(item());
        if (indefinite) at++;
        return out;
      }
      case 5: {
        const out: Record<string, unknown> = {};
        let count = 0;
        while (indefinite ? bytes[at] !== 0xff : count < n) { out[String(item())] = item(); count++; }
        if (indefinite) at++;
        return out;
      }
      default: return { tag: n, value: item() } satisfies Tagged;
    }
  };
  const value = item();
  if (at !== bytes.length) throw new Error(`${bytes.length - at} trailing bytes`);
  return value;
}


export interface CborAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Record<string, unknown>;
}

/** Sends Java-SDK-style CBOR requests to one endpoint (http://host:port) with one key. */
export class JavaCborClient {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1') {
    this.url = new URL(endpoint);
    this.signer = new SignatureV4({ credentials, region, service: 'kinesis', sha256: Sha256, applyChecksum: false });
  }

  async call(operation: string, input: Record<string, unknown>): Promise<CborAnswer> {
    const body = writeCbor(input);
    const signed = await this.signer.sign({
      method: 'POST', protocol: 'http:', hostname: this.url.hostname, port: Number(this.url.port), path: '/',
      headers: {
        host: this.url.host, 'content-type': 'application/x-amz-cbor-1.1', 'x-amz-target': `Kinesis_20131202.${operation}`,
        'user-agent': 'aws-sdk-java/1.12.780 Linux/6.1 OpenJDK_64-Bit_Server_VM/17 java/17 vendor/Eclipse_Adoptium cfg/retry-mode/standard',
        'amz-sdk-invocation-id': '00000000-0000-4000-8000-000000000000', 'amz-sdk-retry': '0/0/500', 'content-length': String(body.length),
      },
      body,
    });
    return new Promise((resolve, reject) => {
      const req = request({ host: this.url.hostname, port: this.url.port, method: 'POST', path: '/', headers: signed.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          try {
            resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: readCbor(raw) as Record<string, unknown> });
          } catch (err) {
            reject(new Error(`${operation}: answer is not CBOR (${(err as Error).message}): ${raw.toString('utf8').slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * Encryption at rest of one record (docs/encryption.md): the api seals a
 * record of an encrypted stream before it leaves for the storage nodes, so
 * nodes only ever hold ciphertext and never see a key. AES-256-GCM under
 * the stream's data key; data keys are stored wrapped (AES-256-GCM too)
 * under the cluster's master key.
 *
 * A sealed record is stored with an empty partition key and this envelope
 * as its data (all integers unsigned big-endian):
 *
 *   off  size  field
 *   0    4     magic 0x53 0x48 0x45 0x01 ("SHE", envelope version 1)
 *   4    4     data key version (u32, >= 1)
 *   8    12    nonce (unique per data key, see the api's nonce source)
 *   20   n     ciphertext of: u16 partition key length (0 = the record has
 *              no partition key), the UTF-8 key, then the data
 *   20+n 16    GCM tag
 *
 * The additional authenticated data is "shoal/record/v1\0", the stream's
 * id and the key version, so an envelope moved to another stream, or
 * relabelled with another key version, does not open.
 *
 * Telling sealed from plaintext records: a record is opened only if its
 * partition key is empty, its data starts with the magic, the stream has a
 * data key of the version it names, and the GCM tag verifies under that
 * key. User data can match the first three by chance or on purpose, but
 * not the tag (a 2^-128 chance without the key), so user data is never
 * taken for an envelope: a record that fails any check is returned as
 * stored. Corruption is not a concern here: the record batch CRC has
 * checked the bytes before they get this far.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const ENVELOPE_MAGIC = Buffer.from([0x53, 0x48, 0x45, 0x01]);
export const ENVELOPE_NONCE_BYTES = 12;
export const ENVELOPE_TAG_BYTES = 16;
/** Bytes in front of the ciphertext: magic, key version, nonce. */
const ENVELOPE_HEADER_BYTES = ENVELOPE_MAGIC.length + 4 + ENVELOPE_NONCE_BYTES;
/** Bytes of the partition key length inside the ciphertext. */
const INNER_KEY_LENGTH_BYTES = 2;
/**
 * Bytes a sealed record stores beyond the client's partition key and data:
 * what storage nodes subtract before counting a record against the shard's
 * write limits (AppendRequest.record_overhead_bytes).
 */
export const ENVELOPE_OVERHEAD_BYTES = ENVELOPE_HEADER_BYTES + INNER_KEY_LENGTH_BYTES + ENVELOPE_TAG_BYTES;
/** AES-256 keys. */
export const DATA_KEY_BYTES = 32;
const KEY_VERSION_MAX = 0xffffffff;
const PARTITION_KEY_BYTES_MAX = 0xffff;
const RECORD_AAD_CONTEXT = 'shoal/record/v1\0';
const WRAP_AAD_CONTEXT = 'shoal/data-key/v1\0';
const CIPHER = 'aes-256-gcm';

/** One record as the client sent it (partitionKey undefined: written without one). */
export interface PlainRecord {
  readonly partitionKey: string | undefined;
  readonly data: Buffer;
}

function assertKey(key: Buffer, what: string): void {
  if (key.length !== DATA_KEY_BYTES) throw new Error(`${what} must be ${DATA_KEY_BYTES} bytes, got ${key.length}`);
}

function recordAad(streamId: string, keyVersion: number): Buffer {
  const version = Buffer.allocUnsafe(4);
  version.writeUInt32BE(keyVersion, 0);
  return Buffer.concat([Buffer.from(RECORD_AAD_CONTEXT, 'utf8'), Buffer.from(streamId, 'utf8'), version]);
}

/**
 * Seals one record under `key` (version `keyVersion` of the stream's data
 * key). `nonce` must never repeat for this key (the caller's nonce source
 * guarantees it); the result is deterministic in its inputs.
 */
export function sealRecord(key: Buffer, keyVersion: number, nonce: Buffer, streamId: string, record: PlainRecord): Buffer {
  assertKey(key, 'data key');
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > KEY_VERSION_MAX) throw new Error(`bad key version ${keyVersion}`);
  if (nonce.length !== ENVELOPE_NONCE_BYTES) throw new Error(`nonce must be ${ENVELOPE_NONCE_BYTES} bytes`);
  const keyBytes = record.partitionKey === undefined ? Buffer.alloc(0) : Buffer.from(record.partitionKey, 'utf8');
  if (keyBytes.length > PARTITION_KEY_BYTES_MAX) throw new Error('partition key too long');
  const out = Buffer.allocUnsafe(ENVELOPE_OVERHEAD_BYTES + keyBytes.length + record.data.length);
  ENVELOPE_MAGIC.copy(out, 0);
  out.writeUInt32BE(keyVersion, ENVELOPE_MAGIC.length);
  nonce.copy(out, ENVELOPE_MAGIC.length + 4);
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: ENVELOPE_TAG_BYTES });
  cipher.setAAD(recordAad(streamId, keyVersion));
  const length = Buffer.allocUnsafe(INNER_KEY_LENGTH_BYTES);
  length.writeUInt16BE(keyBytes.length, 0);
  let at = ENVELOPE_HEADER_BYTES;
  for (const part of [length, keyBytes, record.data]) at += cipher.update(part).copy(out, at);
  at += cipher.final().copy(out, at);
  cipher.getAuthTag().copy(out, at);
  if (at + ENVELOPE_TAG_BYTES !== out.length) throw new Error('envelope size miscounted');
  return out;
}

/** The data key version an envelope names, or undefined if `data` cannot be an envelope (too short, no magic). */
export function envelopeKeyVersion(data: Buffer): number | undefined {
  if (data.length < ENVELOPE_OVERHEAD_BYTES) return undefined;
  for (let i = 0; i < ENVELOPE_MAGIC.length; i++) if (data[i] !== ENVELOPE_MAGIC[i]) return undefined;
  return data.readUInt32BE(ENVELOPE_MAGIC.length);
}

/**
 * Opens a stored record's data if it is an envelope sealed under `key`
 * (the stream's data key of the version the envelope names) for
 * `streamId`; undefined otherwise (then the record is plaintext user data).
 */
export function openRecord(key: Buffer, streamId: string, data: Buffer): PlainRecord | undefined {
  assertKey(key, 'data key');
  const keyVersion = envelopeKeyVersion(data);
  if (keyVersion === undefined) return undefined;
  const nonce = data.subarray(ENVELOPE_MAGIC.length + 4, ENVELOPE_HEADER_BYTES);
  const tag = data.subarray(data.length - ENVELOPE_TAG_BYTES);
  const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: ENVELOPE_TAG_BYTES });
  decipher.setAAD(recordAad(streamId, keyVersion));
  decipher.setAuthTag(tag);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data.subarray(ENVELOPE_HEADER_BYTES, data.length - ENVELOPE_TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
  if (plain.length < INNER_KEY_LENGTH_BYTES) return undefined;
  const keyLength = plain.readUInt16BE(0);
  if (INNER_KEY_LENGTH_BYTES + keyLength > plain.length) return undefined;
  const keyEnd = INNER_KEY_LENGTH_BYTES + keyLength;
  return { partitionKey: keyLength === 0 ? undefined : plain.toString('utf8', INNER_KEY_LENGTH_BYTES, keyEnd), data: plain.subarray(keyEnd) };
}

/**
 * A data key wrapped under the master key: nonce (12) || ciphertext (32)
 * || tag (16), bound to the stream and key version by the AAD.
 */
export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, nonce: Buffer, streamId: string, keyVersion: number): Buffer {
  assertKey(masterKey, 'master key');
  assertKey(dataKey, 'data key');
  if (nonce.length !== ENVELOPE_NONCE_BYTES) throw new Error(`nonce must be ${ENVELOPE_NONCE_BYTES} bytes`);
  const cipher = createCipheriv(CIPHER, masterKey, nonce, { authTagLength: ENVELOPE_TAG_BYTES });
  cipher.setAAD(Buffer.from(`${WRAP_AAD_CONTEXT}${streamId}/${keyVersion}`, 'utf8'));
  return Buffer.concat([nonce, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
}

/** The data key inside `wrapped`, or undefined if it was not wrapped under this master key for this stream and version. */
export function unwrapDataKey(masterKey: Buffer, wrapped: Buffer, streamId: string, keyVersion: number): Buffer | undefined {
  assertKey(masterKey, 'master key');
  if (wrapped.length !== ENVELOPE_NONCE_BYTES + DATA_KEY_BYTES + ENVELOPE_TAG_BYTES) return undefined;
  const decipher = createDecipheriv(CIPHER, masterKey, wrapped.subarray(0, ENVELOPE_NONCE_BYTES), { authTagLength: ENVELOPE_TAG_BYTES });
  decipher.setAAD(Buffer.from(`${WRAP_AAD_CONTEXT}${streamId}/${keyVersion}`, 'utf8'));
  decipher.setAuthTag(wrapped.subarray(wrapped.length - ENVELOPE_TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(wrapped.subarray(ENVELOPE_NONCE_BYTES, wrapped.length - ENVELOPE_TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

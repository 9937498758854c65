/**
 * The cluster master key that wraps every stream's data key
 * (docs/encryption.md). Operators give it to each api process as a file
 * (--master-key-file / SHOAL_MASTER_KEY_FILE) or in the environment
 * (SHOAL_MASTER_KEY); either holds 32 random bytes as base64 (or 64 hex
 * digits). `scripts/cluster up` creates one for a local cluster in its data
 * directory, mode 0600. Storage nodes never get it.
 */
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { DATA_KEY_BYTES } from '@shoal/core';

/** Where a process found its master key, for the start-up log (never the key). */
export interface MasterKey {
  readonly key: Buffer;
  /** A fingerprint stored beside each wrapped data key (tells a wrong master key apart). */
  readonly id: string;
  readonly source: string;
}

/** Bytes of the fingerprint (HMAC-SHA256 of a fixed label under the key), hex. */
const KEY_ID_BYTES = 8;
const KEY_ID_LABEL = 'shoal/master-key-id/v1';
/** Group and others may not read a key file (mode & 0o077 must be 0). */
const KEY_FILE_FORBIDDEN_MODE = 0o077;

/** The key in `text` (base64 or hex of 32 bytes); throws on anything else. */
export function parseMasterKey(text: string, source: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== DATA_KEY_BYTES || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && key.toString('base64') !== trimmed)) {
    throw new Error(`master key from ${source} must be ${DATA_KEY_BYTES} bytes as base64 or hex`);
  }
  return { key, id: masterKeyId(key), source };
}

export function masterKeyId(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_ID_LABEL).digest().subarray(0, KEY_ID_BYTES).toString('hex');
}

/**
 * The master key from a file (refused if group or others may read it) or
 * from the value itself; undefined when neither is given (encryption at
 * rest is then unavailable: StartStreamEncryption answers a KMS error).
 */
export function loadMasterKey(file: string | undefined, value: string | undefined): MasterKey | undefined {
  if (file !== undefined && file !== '') {
    const mode = statSync(file).mode;
    if ((mode & KEY_FILE_FORBIDDEN_MODE) !== 0) throw new Error(`master key file ${file} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
    return parseMasterKey(readFileSync(file, 'utf8'), file);
  }
  if (value !== undefined && value !== '') return parseMasterKey(value, 'SHOAL_MASTER_KEY');
  return undefined;
}

/**
 * The local cluster's master key for encryption at rest (docs/encryption.md):
 * `cluster up` creates DIR/master.key (32 random bytes, base64, mode 0600)
 * if it is missing and gives it to the api with --master-key-file. Losing
 * the file makes every record written while encryption was on unreadable.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MASTER_KEY_BYTES = 32;
const KEY_FILE_MODE = 0o600;

export function masterKeyPath(dataDir: string): string {
  return join(dataDir, 'master.key');
}

/** Creates the key file if it does not exist (never overwrites one). Returns true if it created it. */
export function ensureMasterKey(dataDir: string): boolean {
  const path = masterKeyPath(dataDir);
  if (existsSync(path)) return false;
  // 'wx': fails if another `up` created it meanwhile; the mode applies at creation, before any byte is written.
  const fd = openSync(path, 'wx', KEY_FILE_MODE);
  try {
    writeSync(fd, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

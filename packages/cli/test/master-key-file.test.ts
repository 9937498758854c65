/** `cluster up`'s master key file: created once, mode 0600, 32 random bytes, never replaced. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureMasterKey, masterKeyPath } from '../src/master-key-file';

describe('master key file', () => {
  it('is created with mode 0600 and kept as it is by later ups', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-key-file-'));
    assert.equal(ensureMasterKey(dir), true);
    const path = masterKeyPath(dir);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.equal(Buffer.from(text.trim(), 'base64').length, 32);
    assert.equal(ensureMasterKey(dir), false);
    assert.equal(readFileSync(path, 'utf8'), text);
  });
});

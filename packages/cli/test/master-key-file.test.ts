/** `cluster up`'s master key file: created once, mode 0600, 32 random bytes, never replaced. */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { TempDirs } from '@shoal/testkit';
import { ensureMasterKey, masterKeyPath } from '../src/master-key-file';

describe('master key file', () => {
  const dirs = new TempDirs('shoal-key-file-');
  after(() => dirs.removeAll());

  it('is created with mode 0600 and kept as it is by later ups', () => {
    const dir = dirs.make();
    assert.equal(ensureMasterKey(dir), true);
    const path = masterKeyPath(dir);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const text = readFileSync(path, 'utf8');
    assert.equal(Buffer.from(text.trim(), 'base64').length, 32);
    assert.equal(ensureMasterKey(dir), false);
    assert.equal(readFileSync(path, 'utf8'), text);
  });
});

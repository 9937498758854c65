/** TempDirs: directories made under the OS temp dir, each new, all removed with their contents. */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TempDirs } from '../src/temp-dirs';

describe('TempDirs', () => {
  it('makes distinct directories under the OS temp dir and removes them with what they hold', () => {
    const dirs = new TempDirs('shoal-testkit-');
    const a = dirs.make();
    const b = dirs.make();
    assert.notEqual(a, b);
    for (const dir of [a, b]) {
      assert.equal(dirname(dir), tmpdir());
      assert.match(basename(dir), /^shoal-testkit-/);
    }
    writeFileSync(join(a, 'file'), 'x');
    dirs.removeAll();
    assert.equal(existsSync(a), false);
    assert.equal(existsSync(b), false);
    dirs.removeAll();
  });
});

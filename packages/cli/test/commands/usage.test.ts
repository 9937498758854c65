/** `scripts/cluster <command> --help` prints the usage and starts nothing. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '../../src/main.js');

describe('cluster CLI usage', () => {
  it('up --help prints the usage, exits 0 and creates no data directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-usage-'));
    try {
      const data = join(dir, 'data');
      const res = spawnSync(process.execPath, [MAIN, 'cluster', 'up', '--help', '--data', data], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /^usage: scripts\/cluster <command>/);
      assert.equal(existsSync(data), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown command prints the usage and exits 2', () => {
    const res = spawnSync(process.execPath, [MAIN, 'cluster', 'nope'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /^usage: scripts\/cluster <command>/);
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@shoal/wire';
import { RESHARD_CRASH_FILE_ENV, reshardCrashHook } from '../src/reshard-step-hook';

describe('reshard crash hook (test-only)', () => {
  const quiet = (): void => undefined;
  const log: Logger = { debug: quiet, info: quiet, warn: quiet, error: quiet, child: () => log };
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'shoal-hook-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is off without the environment variable', () => {
    assert.equal(reshardCrashHook({}, log, () => assert.fail('must not exit')), undefined);
  });

  it('exits once, at exactly the armed point, and disarms itself', () => {
    const file = join(dir, 'point');
    let exits = 0;
    const hook = reshardCrashHook({ [RESHARD_CRASH_FILE_ENV]: file }, log, () => { exits++; })!;
    hook('after', 'closing');
    assert.equal(exits, 0, 'not armed: no file');
    writeFileSync(file, 'after-closing\n');
    hook('before', 'closing');
    hook('after', 'done');
    assert.equal(exits, 0, 'other points do not fire');
    hook('after', 'closing');
    assert.equal(exits, 1);
    assert.equal(existsSync(file), false, 'the point fires once');
    hook('after', 'closing');
    assert.equal(exits, 1);
  });
});

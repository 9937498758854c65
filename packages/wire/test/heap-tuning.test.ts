import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tuneHeapForBufferChurn } from '../src/heap-tuning';

describe('tuneHeapForBufferChurn', () => {
  it('leaves a value given on the command line alone', () => {
    assert.equal(tuneHeapForBufferChurn(['--heap-growing-percent=50']), false);
    assert.equal(tuneHeapForBufferChurn(['--heap_growing_percent=50']), false);
  });

  it('sets a flag V8 knows (an unknown flag would be reported on stderr)', () => {
    const mod = join(__dirname, '..', 'src', 'heap-tuning.js');
    const r = spawnSync(process.execPath, ['-e', `process.exitCode = require(${JSON.stringify(mod)}).tuneHeapForBufferChurn() ? 0 : 3`], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
  });
});

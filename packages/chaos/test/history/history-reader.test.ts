import { strict as assert } from 'node:assert';
import { parseJsonl } from '../../src/history/history-reader';

describe('history reader', () => {
  it('skips a last line cut short by a crash, rejects a bad line elsewhere', () => {
    assert.deepEqual(parseJsonl('{"a":1}\n{"a":2}\n{"a":', 'x'), [{ a: 1 }, { a: 2 }]);
    assert.throws(() => parseJsonl('{"a":1}\n{"a"\n{"a":2}\n', 'x'), /x:2/);
  });
});

import { strict as assert } from 'node:assert';
import { mapAddress, parseDialMap } from '../src/dial';
import { parseClockOffsetMs } from '../src/wall-clock';

describe('dial hook', () => {
  const map = parseDialMap('{"127.0.0.1:4600":"127.0.0.1:28900","127.0.0.1:2379":"127.0.0.1:28901"}');

  it('rewrites host:port and URL authorities, leaves others alone', () => {
    assert.equal(mapAddress('127.0.0.1:4600', map), '127.0.0.1:28900');
    assert.equal(mapAddress('http://127.0.0.1:2379', map), 'http://127.0.0.1:28901');
    assert.equal(mapAddress('http://127.0.0.1:2379/v3/kv', map), 'http://127.0.0.1:28901/v3/kv');
    assert.equal(mapAddress('127.0.0.1:4601', map), '127.0.0.1:4601');
    assert.equal(mapAddress('127.0.0.1:4600', parseDialMap(undefined)), '127.0.0.1:4600');
  });

  it('refuses a map that is not an object of strings', () => {
    assert.throws(() => parseDialMap('[1]'));
    assert.throws(() => parseDialMap('{"a:1":2}'));
    assert.throws(() => parseDialMap('{'));
  });

  it('parses clock offsets', () => {
    assert.equal(parseClockOffsetMs(undefined), 0);
    assert.equal(parseClockOffsetMs('-30000'), -30000);
    assert.throws(() => parseClockOffsetMs('1.5'));
  });
});

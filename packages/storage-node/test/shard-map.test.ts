import * as assert from 'node:assert/strict';
import { ShardMap } from '../src/shard-map';

describe('ShardMap', () => {
  it('keys by stream and shard, counts entries, and drops a stream once its last shard goes', () => {
    const m = new ShardMap<number>();
    m.set('s1', 'a', 1);
    m.set('s1', 'b', 2);
    m.set('s2', 'a', 3);
    m.set('s1', 'a', 4); // replaces: the size does not grow
    assert.equal(m.size, 3);
    assert.equal(m.get('s1', 'a'), 4);
    assert.equal(m.get('s2', 'a'), 3);
    assert.equal(m.get('s2', 'b'), undefined);
    assert.deepEqual([...m.values()].sort(), [2, 3, 4]);
    assert.equal(m.delete('s9', 'a'), false);
    assert.equal(m.delete('s1', 'a'), true);
    assert.equal(m.delete('s1', 'a'), false);
    assert.equal(m.delete('s1', 'b'), true);
    assert.equal(m.size, 1);
    assert.deepEqual([...m.values()], [3]);
    m.set('s1', 'b', 5);
    assert.deepEqual([...m.values()].sort(), [3, 5]);
  });
});

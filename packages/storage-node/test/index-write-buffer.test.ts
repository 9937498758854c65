import * as assert from 'node:assert/strict';
import { indexWriteBufferBytes, nodeFraction } from '../src/index-write-buffer';
import { LEVELDB_INDEX_OPTIONS, LEVELDB_INDEX_WRITE_BUFFER_SPREAD } from '../src/storage-limits';

const BASE = LEVELDB_INDEX_OPTIONS.writeBufferSize;

describe('index-write-buffer', () => {
  it('gives each node id one size, from the default up to the spread above it', () => {
    for (let i = 0; i < 200; i++) {
      const id = `node-${i}`;
      const bytes = indexWriteBufferBytes(id);
      assert.equal(indexWriteBufferBytes(id), bytes);
      assert.ok(bytes >= BASE && bytes < BASE * (1 + LEVELDB_INDEX_WRITE_BUFFER_SPREAD), `${id}: ${bytes}`);
    }
  });

  it('spreads the fractions over the whole range', () => {
    const fractions = Array.from({ length: 1000 }, (_, i) => nodeFraction(`n${i}`));
    const tenths = new Set(fractions.map((f) => Math.floor(f * 10)));
    assert.equal(tenths.size, 10);
    assert.ok(fractions.every((f) => f >= 0 && f < 1));
  });

  it('sets the default nodes of the local cluster, docker compose and kind well apart', () => {
    for (const ids of [['a1', 'b1', 'c1'], ['a2', 'b2', 'c2'], ['storage-az-a-0', 'storage-az-b-0', 'storage-az-c-0']]) {
      const sizes = ids.map(indexWriteBufferBytes).sort((x, y) => x - y);
      for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i]! - sizes[i - 1]! > BASE / 8, `${ids.join(',')}: ${sizes.join(', ')}`);
    }
  });
});

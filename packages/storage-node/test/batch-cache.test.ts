import * as assert from 'node:assert/strict';
import { RecordBatch, encodeRecordBatch } from '@shoal/core';
import { BatchCache } from '../src/batch-cache';

function batch(first: number, count: number, bytes = 10): RecordBatch {
  const b = RecordBatch.parse(encodeRecordBatch(1, first, Array.from({ length: count }, () => ({ arrivalMs: 1, partitionKey: 'k', data: Buffer.alloc(bytes) }))), false);
  if (typeof b === 'string') throw new Error(b);
  return b;
}

describe('batch-cache', () => {
  it('serves slices from any cached offset, bounded by end and bytes', () => {
    const c = new BatchCache(1 << 20);
    c.push(batch(0, 2));
    c.push(batch(2, 3));
    c.push(batch(5, 1));
    assert.deepEqual(c.slice(3, 6, 1 << 20)!.map((b) => b.firstOffset), [2, 5]);
    assert.deepEqual(c.slice(0, 5, 1 << 20)!.map((b) => b.firstOffset), [0, 2]);
    assert.deepEqual(c.slice(0, 6, 1)!.map((b) => b.firstOffset), [0]);
    assert.deepEqual(c.slice(6, 6, 1 << 20), []);
  });

  it('drops the oldest past its byte bound, keeps at least one, restarts on a gap', () => {
    const one = batch(0, 1, 1000).bytes.length;
    const c = new BatchCache(one * 2);
    for (let i = 0; i < 5; i++) c.push(batch(i, 1, 1000));
    assert.equal(c.startOffset(), 3);
    assert.equal(c.slice(2, 5, 1 << 20), undefined, 'evicted offsets are not served');
    c.push(batch(9, 1, 1000));
    assert.equal(c.startOffset(), 9);
    const tiny = new BatchCache(1);
    tiny.push(batch(0, 1, 1000));
    assert.equal(tiny.startOffset(), 0);
  });
});

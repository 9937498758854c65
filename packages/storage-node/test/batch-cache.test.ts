import * as assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RecordBatch, encodeRecordBatch } from '@shoal/core';
import { BatchCache, CacheBudget } from '../src/batch-cache';

function batch(first: number, count: number, bytes = 10): RecordBatch {
  const b = RecordBatch.parse(encodeRecordBatch(1, first, Array.from({ length: count }, () => ({ arrivalMs: 1, partitionKey: 'k', data: Buffer.alloc(bytes) }))), false);
  if (typeof b === 'string') throw new Error(b);
  return b;
}

/** A full garbage collection, after the current job ends (WeakRef targets live until then). */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

describe('batch-cache', () => {
  it('serves slices from any cached offset, bounded by end and bytes', () => {
    const c = new BatchCache(new CacheBudget(1 << 20, 1 << 20));
    c.push(batch(0, 2));
    c.push(batch(2, 3));
    c.push(batch(5, 1));
    assert.deepEqual(c.slice(3, 6, 1 << 20)!.map((b) => b.firstOffset), [2, 5]);
    assert.deepEqual(c.slice(0, 5, 1 << 20)!.map((b) => b.firstOffset), [0, 2]);
    assert.deepEqual(c.slice(0, 6, 1)!.map((b) => b.firstOffset), [0]);
    assert.deepEqual(c.slice(6, 6, 1 << 20), []);
  });

  it('drops the oldest past its byte bound and restarts on a gap', () => {
    const one = batch(0, 1, 1000).bytes.length;
    const c = new BatchCache(new CacheBudget(1 << 20, one * 2));
    for (let i = 0; i < 5; i++) c.push(batch(i, 1, 1000));
    assert.equal(c.startOffset(), 3);
    assert.equal(c.slice(2, 5, 1 << 20), undefined, 'evicted offsets are not served');
    c.push(batch(9, 1, 1000));
    assert.equal(c.startOffset(), 9);
    const tiny = new BatchCache(new CacheBudget(1 << 20, 1));
    tiny.push(batch(0, 1, 1000));
    assert.equal(tiny.startOffset(), Infinity, 'a batch above the bound is not kept: reads go to the store');
    assert.equal(tiny.slice(0, 1, 1 << 20), undefined);
  });

  it('shares the node budget among the caches that hold batches (leaders), not the released ones (followers)', () => {
    const one = batch(0, 1, 1000).bytes.length;
    const budget = new CacheBudget(one * 4, 1 << 20);
    const caches = [new BatchCache(budget), new BatchCache(budget), new BatchCache(budget)];
    assert.equal(budget.share(), one * 4, 'a cache that never held a batch takes no share');
    for (let i = 0; i < 5; i++) for (const c of caches.slice(0, 2)) c.push(batch(i, 1, 1000));
    assert.equal(budget.share(), one * 2);
    assert.deepEqual(caches.map((c) => c.startOffset()), [3, 3, Infinity], 'each holding cache keeps its half: two batches');
    caches[1]!.release();
    assert.equal(caches[1]!.startOffset(), Infinity, 'a released cache is empty');
    assert.equal(caches[1]!.slice(3, 5, 1 << 20), undefined, 'and sends its reads to the store');
    assert.equal(budget.share(), one * 4, 'and leaves the budget');
    caches[1]!.release();
    assert.equal(budget.share(), one * 4, 'releasing twice counts once');
    caches[0]!.push(batch(5, 1, 1000));
    caches[0]!.push(batch(6, 1, 1000));
    assert.equal(caches[0]!.startOffset(), 3);
    caches[1]!.push(batch(9, 1, 1000));
    assert.equal(budget.share(), one * 2, 'a cache that holds batches again takes its share again');
  });

  it('answers "not cached" for an offset past its run, so a stale run never reads as empty', () => {
    const c = new BatchCache(new CacheBudget(1 << 20, 1 << 20));
    c.push(batch(0, 2));
    assert.equal(c.slice(2, 4, 1 << 20), undefined);
    assert.deepEqual(c.slice(2, 2, 1 << 20), [], 'an empty range is empty');
  });

  it('holds no dropped batch: memory stays within the byte bound however many batches pass', async () => {
    const one = batch(0, 1, 100_000).bytes.length;
    const c = new BatchCache(new CacheBudget(1 << 30, one * 2));
    const refs: WeakRef<RecordBatch>[] = [];
    for (let i = 0; i < 50; i++) {
      const b = batch(i, 1, 100_000);
      refs.push(new WeakRef(b));
      c.push(b);
    }
    await collectGarbage();
    const alive = refs.flatMap((r, i) => (r.deref() === undefined ? [] : [i]));
    assert.deepEqual(alive, [48, 49], 'only the two cached batches are still referenced');
    assert.equal(c.startOffset(), 48);
  });
});

import * as assert from 'node:assert/strict';
import { LeaderEpochCache } from '../../src/replication/leader-epoch-cache';
import { EPOCH_CACHE_ENTRIES_MAX } from '../../src/replication/replication-limits';

describe('replication/leader-epoch-cache', () => {
  it('answers which epoch wrote an offset and where an epoch ends', () => {
    const c = new LeaderEpochCache();
    c.assign(1, 0);
    c.assign(1, 5); // same epoch again: no-op
    c.assign(3, 10);
    assert.equal(c.epochAt(-1), 0);
    assert.equal(c.epochAt(0), 1);
    assert.equal(c.epochAt(9), 1);
    assert.equal(c.epochAt(10), 3);
    assert.equal(c.endOffsetFor(1, 20), 10);
    assert.equal(c.endOffsetFor(2, 20), 10);
    assert.equal(c.endOffsetFor(3, 20), 20);
    assert.equal(c.latestEpoch(), 3);
  });

  it('refuses to go backwards, replaces an epoch that wrote nothing, stays bounded', () => {
    const c = new LeaderEpochCache([{ epoch: 2, startOffset: 4 }]);
    assert.throws(() => c.assign(1, 5));
    assert.throws(() => c.assign(3, 3));
    c.assign(3, 4);
    assert.deepEqual(c.snapshot(), [{ epoch: 3, startOffset: 4 }]);
    for (let e = 4; e < EPOCH_CACHE_ENTRIES_MAX + 10; e++) c.assign(e, e * 10);
    assert.equal(c.snapshot().length, EPOCH_CACHE_ENTRIES_MAX);
  });
});

import * as assert from 'node:assert/strict';
import { TokenBucket } from '../src/token-bucket';
import { SHARD_WRITE_BYTES_PER_SEC, SHARD_WRITE_RECORDS_PER_SEC, SHARD_READ_BYTES_PER_SEC } from '../src/limits';

describe('token-bucket', () => {
  it('takes exactly 1 MiB in a second and refuses one byte more', () => {
    const b = new TokenBucket({ ratePerSec: SHARD_WRITE_BYTES_PER_SEC, capacity: SHARD_WRITE_BYTES_PER_SEC }, 0);
    assert.equal(b.tryTake(1024 * 1024, 0), true);
    assert.equal(b.tryTake(1, 0), false);
    assert.equal(b.available(0), 0);
  });

  it('refuses the 1001st record in a second, then refills', () => {
    const b = new TokenBucket({ ratePerSec: SHARD_WRITE_RECORDS_PER_SEC, capacity: SHARD_WRITE_RECORDS_PER_SEC }, 1000);
    for (let i = 0; i < 1000; i++) assert.equal(b.tryTake(1, 1000 + (i % 1)), true, `record ${i + 1}`);
    assert.equal(b.tryTake(1, 1000), false, 'the 1001st record');
    assert.equal(b.tryTake(1, 1000.5), false, 'half a token is not a token');
    assert.equal(b.tryTake(1, 1001), true, 'one ms later one token is back');
    assert.equal(b.available(3000), 1000, 'refill stops at capacity');
  });

  it('a refused take takes nothing', () => {
    const b = new TokenBucket({ ratePerSec: 10, capacity: 10 }, 0);
    assert.equal(b.tryTake(11, 0), false);
    assert.equal(b.available(0), 10);
  });

  it('takeWithDebt goes negative and later calls fail until the debt is repaid', () => {
    const b = new TokenBucket({ ratePerSec: SHARD_READ_BYTES_PER_SEC, capacity: SHARD_READ_BYTES_PER_SEC }, 0);
    b.takeWithDebt(10 * 1024 * 1024, 0);
    assert.equal(b.available(0), -8 * 1024 * 1024);
    assert.equal(b.tryTake(1, 3999), false);
    assert.equal(b.tryTake(1, 4000), false, 'exactly repaid: zero tokens');
    assert.equal(b.tryTake(1, 4001), true);
  });

  it('ignores a clock that goes backwards', () => {
    const b = new TokenBucket({ ratePerSec: 1000, capacity: 1000 }, 5000);
    assert.equal(b.tryTake(1000, 5000), true);
    assert.equal(b.available(4000), 0);
    assert.equal(b.available(5001), 1);
  });

  it('rejects a zero rate or capacity', () => {
    assert.throws(() => new TokenBucket({ ratePerSec: 0, capacity: 1 }, 0));
    assert.throws(() => new TokenBucket({ ratePerSec: 1, capacity: 0 }, 0));
  });
});

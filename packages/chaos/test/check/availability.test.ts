import { strict as assert } from 'node:assert';
import { longestGap, percentile } from '../../src/check/availability';

describe('availability', () => {
  it('percentile is nearest-rank', () => {
    assert.equal(percentile([], 99), 0);
    assert.equal(percentile([5], 50), 5);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 99), 4);
  });

  it('longestGap takes the pause that spans the fault and those after it in the window', () => {
    assert.equal(longestGap([0, 100, 1500, 1600], 200, 1600), 1400);
    assert.equal(longestGap([0, 100, 1500, 1600], 200, 5000), 3400); // no write after 1600 in the window
    assert.equal(longestGap([0, 100, 150], 120, 1000), 850); // nothing after 150: counts to the window end
    assert.equal(longestGap([0, 100, 5000, 9000], 50, 200), 4900); // the pause overlapping the window counts whole
    assert.equal(longestGap([], 0, 300), 300);
  });
});

import assert from 'node:assert/strict';
import { StatusAges } from '../src/status-ages';

describe('StatusAges', () => {
  it('counts from the first pass that saw an object in its status, afresh on a change, and forgets absent objects', () => {
    const ages = new StatusAges();
    ages.track([['s1', 'CREATING'], ['s2', 'DELETING']], 1_000);
    assert.equal(ages.leftMs('s1', 'CREATING', 1_000, 1_000), 1_000);
    ages.track([['s1', 'CREATING'], ['s2', 'DELETING']], 1_400);
    assert.equal(ages.leftMs('s1', 'CREATING', 1_000, 1_400), 600, 'a later pass does not restart the count');
    assert.equal(ages.leftMs('s1', 'CREATING', 1_000, 2_500), 0);
    ages.track([['s1', 'UPDATING']], 2_500);
    assert.equal(ages.leftMs('s1', 'UPDATING', 1_000, 2_600), 900, 'a new status counts from the pass that saw it');
    assert.equal(ages.leftMs('s1', 'CREATING', 1_000, 2_600), 1_000, 'not in that status: the whole time is left');
    assert.equal(ages.leftMs('s2', 'DELETING', 1_000, 2_600), 1_000, 'forgotten once absent');
    ages.clear();
    assert.equal(ages.leftMs('s1', 'UPDATING', 1_000, 2_600), 1_000);
  });
});

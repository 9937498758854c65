/**
 * The shard state predicates over a shard record's flat optional fields,
 * along the order a reshard closes a shard (closing, sealed, closed) and
 * with a handover or a replica move in progress.
 */
import assert from 'node:assert/strict';
import { awaitsSeal, isClosedShard, isClosing, isHandingOver, isOpenShard, isSealed, isSettled } from '../src';

describe('shard state', () => {
  const open = {};
  const closing = { closing: true };
  const sealed = { closing: true, sealedLogEnd: 12 };
  const closed = { closing: true, sealedLogEnd: 12, endingSequenceNumber: '49590338271490256608559692538361571095921575989136588898' };

  it('follows a reshard: open, closing, sealed, closed', () => {
    const row = (s: object) => [isOpenShard(s), isClosing(s), awaitsSeal(s), isSealed(s), isClosedShard(s), isSettled(s)];
    assert.deepEqual(row(open), [true, false, false, false, false, true]);
    assert.deepEqual(row(closing), [true, true, true, false, false, false]);
    assert.deepEqual(row(sealed), [true, true, false, true, false, false]);
    assert.deepEqual(row(closed), [false, true, false, true, true, false]);
  });

  it('counts a shard that was sealed at offset 0 as sealed', () => {
    assert.equal(isSealed({ closing: true, sealedLogEnd: 0 }), true);
    assert.equal(awaitsSeal({ closing: true, sealedLogEnd: 0 }), false);
  });

  it('is not settled during a handover or a replica move', () => {
    assert.equal(isHandingOver({ handoverTo: 'b1' }), true);
    assert.equal(isSettled({ handoverTo: 'b1' }), false);
    assert.equal(isSettled({ rebalanceFrom: 'a1' }), false);
    assert.equal(isHandingOver(open), false);
  });
});

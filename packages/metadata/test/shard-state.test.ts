/**
 * The shard state predicates over a shard record's flat optional fields,
 * along the order a reshard closes a shard (closing, sealed, closed) and
 * with a handover or a replica move in progress; and when a closed shard
 * has expired.
 */
import assert from 'node:assert/strict';
import { awaitsSeal, isClosedShard, isClosing, isExpiredShard, isHandingOver, isOpenShard, isSealed, isSettled, retentionHorizonMs } from '../src';

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

  it('expires a closed shard that closed before the retention horizon, and no other', () => {
    const closedAt = { ...closed, closedMs: 1_000 };
    assert.equal(isExpiredShard(closedAt, 1_000), false, 'closed at the horizon: its last records are retained');
    assert.equal(isExpiredShard(closedAt, 1_001), true);
    assert.equal(isExpiredShard(closed, Number.MAX_SAFE_INTEGER), false, 'closed before closedMs existed: never');
    assert.equal(isExpiredShard({ ...sealed, closedMs: 1_000 }, 5_000), false, 'sealed but not closed');
    assert.equal(isExpiredShard(open, Number.MAX_SAFE_INTEGER), false);
  });

  it('puts the retention horizon one retention period back, never before what expired before an increase', () => {
    const hour = 3_600_000;
    assert.equal(retentionHorizonMs({ retentionPeriodHours: 24 }, 100 * hour), 76 * hour);
    assert.equal(retentionHorizonMs({ retentionPeriodHours: 48, expiredBeforeMs: 60 * hour }, 100 * hour), 60 * hour);
    assert.equal(retentionHorizonMs({ retentionPeriodHours: 48, expiredBeforeMs: 10 * hour }, 100 * hour), 52 * hour);
  });
});

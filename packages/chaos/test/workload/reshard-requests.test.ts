import { strict as assert } from 'node:assert';
import { HASH_KEY_MAX, SeededRandom, evenHashKeyRanges } from '@shoal/core';
import type { SnapshotShard } from '../../src/history/history-format';
import { CRASH_POINTS, reshardCrashes, reshardParentKills } from '../../src/harness/reshard-schedule';
import { chooseReshard, splitKey } from '../../src/workload/reshard-requests';

function shards(count: number): SnapshotShard[] {
  return evenHashKeyRanges(count).map((r, i) => ({
    shardId: `shardId-${String(i).padStart(12, '0')}`, hashKeyStart: r.start.toString(), hashKeyEnd: r.end.toString(), startingSequenceNumber: '1',
  }));
}

const BOUNDS = { min: 2, max: 8 };

describe('reshard storm choices', () => {
  it('splits at the minimum of open shards and merges at the maximum', () => {
    for (let seed = 1; seed <= 50; seed++) {
      assert.equal(chooseReshard(shards(2), new SeededRandom(seed), BOUNDS)?.op, 'split');
      assert.equal(chooseReshard(shards(8), new SeededRandom(seed), BOUNDS)?.op, 'merge');
    }
  });

  it('merges only adjacent open shards, and ignores closed ones', () => {
    const list = shards(4);
    list[1] = { ...list[1]!, endingSequenceNumber: '9' }; // closed: shards 0 and 2 are not adjacent
    for (let seed = 1; seed <= 50; seed++) {
      const c = chooseReshard(list, new SeededRandom(seed), { min: 0, max: 0 })!;
      assert.equal(c.op, 'merge');
      assert.deepEqual([...c.shardIds].sort(), ['shardId-000000000002', 'shardId-000000000003']);
    }
  });

  it('splits strictly inside Kinesis bounds, around the middle', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const s = shards(3)[seed % 3]!;
      const key = splitKey(s, new SeededRandom(seed))!;
      const start = BigInt(s.hashKeyStart);
      const end = BigInt(s.hashKeyEnd);
      assert.ok(key > start + 1n && key < end, `${key} in (${start} + 1, ${end})`);
      assert.ok(key >= start + (end - start) / 4n && key <= start + ((end - start) * 3n) / 4n + 1n);
    }
    assert.equal(splitKey({ hashKeyStart: '10', hashKeyEnd: '13' }, new SeededRandom(1)), undefined);
    assert.equal(splitKey({ hashKeyStart: '10', hashKeyEnd: '14' }, new SeededRandom(1)), 12n);
    const top = splitKey({ hashKeyStart: (HASH_KEY_MAX - 4n).toString(), hashKeyEnd: HASH_KEY_MAX.toString() }, new SeededRandom(3))!;
    assert.ok(top > HASH_KEY_MAX - 3n && top < HASH_KEY_MAX);
  });

  it('the same seed makes the same choices', () => {
    const a = chooseReshard(shards(5), new SeededRandom(42), BOUNDS);
    const b = chooseReshard(shards(5), new SeededRandom(42), BOUNDS);
    assert.deepEqual(a, b);
  });
});

describe('controller-crash schedule', () => {
  it('crashes at every point of a split, then of a merge, one step per period', () => {
    const steps = reshardCrashes(new SeededRandom(7), 100_000, 1_000, 12_000);
    assert.equal(steps.length, 8);
    assert.deepEqual(steps.map((s) => s.point), [...CRASH_POINTS, ...CRASH_POINTS]);
    assert.deepEqual(steps.map((s) => s.op), ['split', 'split', 'split', 'split', 'merge', 'merge', 'merge', 'merge']);
    assert.deepEqual(steps.map((s) => s.atMs), [1_000, 13_000, 25_000, 37_000, 49_000, 61_000, 73_000, 85_000]);
    assert.ok(steps.every((s) => s.pick >= 0 && s.pick < 1));
  });
});

describe('reshard parent-kill schedule', () => {
  it('kills every period and restarts after, all within the duration', () => {
    const steps = reshardParentKills(new SeededRandom(7), 40_000, 10_000, 10_000, 3_000);
    assert.deepEqual(steps.map((s) => [s.atMs, s.action]), [
      [10_000, 'kill-reshard-parent-leader'], [13_000, 'restart'], [20_000, 'kill-reshard-parent-leader'], [23_000, 'restart'],
      [30_000, 'kill-reshard-parent-leader'], [33_000, 'restart'],
    ]);
  });
});

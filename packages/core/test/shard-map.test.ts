import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { HASH_KEY_MAX, HASH_KEY_SPACE, evenHashKeyRanges } from '../src/hash-key';
import { shardIdFromIndex } from '../src/shard-id';
import { checkTiling, createShardRouter, findOpenShard } from '../src/shard-map';
import type { ShardRange } from '../src/shard-map';

function evenShards(count: number): ShardRange[] {
  return evenHashKeyRanges(count).map((r, i) => ({ shardId: shardIdFromIndex(i), start: r.start, end: r.end, open: true }));
}

function shard(index: number, start: bigint, end: bigint, open = true): ShardRange {
  return { shardId: shardIdFromIndex(index), start, end, open };
}

/** A stream's shard map under random split/merge commands, as the controller will apply them. */
class Resharder {
  readonly shards: ShardRange[];
  private nextIndex: number;

  constructor(count: number) {
    this.shards = evenShards(count);
    this.nextIndex = count;
  }

  open(): ShardRange[] {
    return this.shards.filter((s) => s.open).sort((a, b) => (a.start < b.start ? -1 : 1));
  }

  /** Splits the pick-th open shard at a point chosen by `fraction` (0..1). */
  split(pick: number, fraction: number): void {
    const candidates = this.open().filter((s) => s.end > s.start);
    const parent = candidates[pick % Math.max(candidates.length, 1)];
    if (parent === undefined) return;
    const size = parent.end - parent.start; // >= 1
    const at = parent.start + 1n + (size * BigInt(Math.floor(fraction * 1e6))) / 1_000_000n;
    const point = at > parent.end ? parent.end : at;
    parent.open = false;
    this.shards.push(shard(this.nextIndex++, parent.start, point - 1n), shard(this.nextIndex++, point, parent.end));
  }

  /** Merges the pick-th open shard with its right-hand neighbour. */
  merge(pick: number): void {
    const open = this.open();
    if (open.length < 2) return;
    const i = pick % (open.length - 1);
    const left = open[i] as ShardRange;
    const right = open[i + 1] as ShardRange;
    left.open = false;
    right.open = false;
    this.shards.push(shard(this.nextIndex++, left.start, right.end));
  }
}

describe('shard-map', () => {
  describe('findOpenShard', () => {
    it('routes the boundaries of even ranges to the right shard', () => {
      for (let n = 1; n <= 8; n++) {
        const shards = evenShards(n);
        shards.forEach((s) => {
          assert.equal(findOpenShard(shards, s.start), s);
          assert.equal(findOpenShard(shards, s.end), s);
        });
      }
    });

    it('routes 0 and 2^128 - 1, and nothing outside the space', () => {
      const shards = evenShards(4);
      assert.equal(findOpenShard(shards, 0n)?.shardId, 'shardId-000000000000');
      assert.equal(findOpenShard(shards, HASH_KEY_MAX)?.shardId, 'shardId-000000000003');
      assert.equal(findOpenShard(shards, HASH_KEY_SPACE), undefined);
      assert.equal(findOpenShard(shards, -1n), undefined);
      assert.equal(findOpenShard(shards, 85070591730234615865843651857942052863n)?.shardId, 'shardId-000000000000');
      assert.equal(findOpenShard(shards, 85070591730234615865843651857942052864n)?.shardId, 'shardId-000000000001');
    });

    it('skips closed parents and finds their open children', () => {
      const mid = HASH_KEY_SPACE / 2n;
      const shards = [shard(0, 0n, HASH_KEY_MAX, false), shard(1, 0n, mid - 1n), shard(2, mid, HASH_KEY_MAX)];
      assert.equal(findOpenShard(shards, mid - 1n)?.shardId, 'shardId-000000000001');
      assert.equal(findOpenShard(shards, mid)?.shardId, 'shardId-000000000002');
      assert.equal(findOpenShard([shard(0, 0n, HASH_KEY_MAX, false)], 5n), undefined);
    });

    it('returns undefined in a gap and for an empty map', () => {
      assert.equal(findOpenShard([shard(0, 0n, 9n), shard(1, 20n, HASH_KEY_MAX)], 15n), undefined);
      assert.equal(findOpenShard([], 0n), undefined);
    });
  });

  describe('createShardRouter', () => {
    it('agrees with findOpenShard at boundaries, gaps and outside the space', () => {
      const shards = [shard(0, 0n, HASH_KEY_MAX, false), shard(1, 0n, 9n), shard(2, 20n, 29n), shard(3, 30n, HASH_KEY_MAX)];
      const route = createShardRouter(shards);
      for (const k of [-1n, 0n, 9n, 10n, 19n, 20n, 29n, 30n, HASH_KEY_MAX, HASH_KEY_SPACE]) {
        assert.equal(route(k), findOpenShard(shards, k), `${k}`);
      }
      assert.equal(createShardRouter([])(0n), undefined);
    });
  });

  describe('checkTiling', () => {
    it('accepts even ranges for 1..64 shards, in any order', () => {
      for (let n = 1; n <= 64; n++) {
        assert.equal(checkTiling(evenShards(n)), undefined, `${n}`);
        assert.equal(checkTiling(evenShards(n).reverse()), undefined, `${n} reversed`);
      }
    });

    it('accepts single-key shards', () => {
      assert.equal(checkTiling([shard(0, 0n, 0n), shard(1, 1n, 1n), shard(2, 2n, HASH_KEY_MAX)]), undefined);
    });

    it('describes each way a map can be wrong', () => {
      const cases: Array<[ShardRange[], RegExp]> = [
        [[], /no open shards/],
        [[shard(0, 1n, HASH_KEY_MAX)], /gap: .*\[0, 0\]/],
        [[shard(0, 0n, HASH_KEY_MAX - 1n)], new RegExp(`gap: .*\\[${HASH_KEY_MAX}, ${HASH_KEY_MAX}\\]`)],
        [[shard(0, 0n, 9n), shard(1, 11n, HASH_KEY_MAX)], /gap: .*\[10, 10\] between shardId-000000000000 and shardId-000000000001/],
        [[shard(0, 0n, 10n), shard(1, 10n, HASH_KEY_MAX)], /overlap: shardId-000000000000/],
        [[shard(0, 0n, HASH_KEY_MAX), shard(1, 0n, HASH_KEY_MAX)], /overlap/],
        [[shard(0, 0n, HASH_KEY_MAX, false)], /shardId-000000000000 is closed/],
        [[shard(0, 0n, HASH_KEY_SPACE)], /outside/],
        [[shard(0, -1n, HASH_KEY_MAX)], /outside/],
        [[shard(0, 0n, 9n), shard(1, 11n, 10n), shard(2, 11n, HASH_KEY_MAX)], /empty/],
      ];
      for (const [shards, expected] of cases) {
        assert.match(checkTiling(shards) ?? 'tiles', expected);
      }
    });
  });

  describe('random split/merge sequences (property)', () => {
    const commandArb = fc.oneof(
      fc.record({ kind: fc.constant('split' as const), pick: fc.nat(), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('merge' as const), pick: fc.nat(), fraction: fc.constant(0) }),
    );
    const keyArb = fc.oneof(fc.bigInt({ min: 0n, max: HASH_KEY_MAX }), fc.constantFrom(0n, 1n, HASH_KEY_MAX, HASH_KEY_MAX - 1n));

    it('keep the open shards tiling the space, and the router agrees with the scan', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 8 }), fc.array(commandArb, { maxLength: 30 }), fc.array(keyArb, { minLength: 1, maxLength: 20 }), (count, commands, keys) => {
          const map = new Resharder(count);
          for (const c of commands) {
            if (c.kind === 'split') map.split(c.pick, c.fraction);
            else map.merge(c.pick);
            assert.equal(checkTiling(map.open()), undefined);
          }
          const route = createShardRouter(map.shards);
          for (const s of map.open()) keys.push(s.start, s.end);
          for (const k of keys) {
            const expected = findOpenShard(map.shards, k);
            assert.ok(expected?.open);
            assert.equal(route(k), expected);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('detect a shard dropped from a valid map', () => {
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 8 }), fc.array(commandArb, { maxLength: 10 }), fc.nat(), (count, commands, drop) => {
          const map = new Resharder(count);
          for (const c of commands) {
            if (c.kind === 'split') map.split(c.pick, c.fraction);
            else map.merge(c.pick);
          }
          const open = map.open();
          if (open.length < 2) return;
          open.splice(drop % open.length, 1);
          assert.match(checkTiling(open) ?? 'tiles', /gap/);
        }),
      );
    });
  });
});

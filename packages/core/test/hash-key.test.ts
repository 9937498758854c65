import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  HASH_KEY_MAX,
  HASH_KEY_SPACE,
  bufferToHashKey,
  evenHashKeyRanges,
  hashKeyToBuffer,
  partitionKeyToHashKey,
  rangeContains,
} from '../src/hash-key';

const hashKeyArb = fc.bigInt({ min: 0n, max: HASH_KEY_MAX });

describe('hash-key', () => {
  it('has the 128-bit bounds', () => {
    assert.equal(HASH_KEY_MAX, 340282366920938463463374607431768211455n);
    assert.equal(HASH_KEY_SPACE, HASH_KEY_MAX + 1n);
  });

  describe('partitionKeyToHashKey', () => {
    // Digests from coreutils md5sum, independent of node:crypto.
    const known: Array<[string, string]> = [
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['x', '9dd4e461268c8034f5c8564e155c67a6'],
      ['partition-1', '94f940e6c2a31703d6be067b87d67968'],
      ['über', '860828352d2d9e23a47335120b84fd9c'],
      ['🐟', 'b631e85595d3eb435063ec378b405bb0'],
    ];
    it('equals the MD5 digest of the UTF-8 bytes read as a big-endian integer, for any string (property)', () => {
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (key) => {
        assert.equal(partitionKeyToHashKey(key), bufferToHashKey(createHash('md5').update(key, 'utf8').digest()));
      }));
    });

    for (const [key, md5] of known) {
      it(`routes ${JSON.stringify(key)} by the MD5 of its UTF-8 bytes`, () => {
        assert.equal(partitionKeyToHashKey(key), BigInt(`0x${md5}`));
      });
    }

    it('routes known keys to the shard Kinesis picks among 4 even shards', () => {
      const ranges = evenHashKeyRanges(4);
      const shardOf = (key: string): number => ranges.findIndex((r) => rangeContains(r, partitionKeyToHashKey(key)));
      assert.equal(shardOf('a'), 0); // 0x0c... < 0x40...
      assert.equal(shardOf('partition-1'), 2); // 0x94... in [0x80.., 0xbf..]
      assert.equal(shardOf('x'), 2);
      assert.equal(shardOf('🐟'), 2);
    });
  });

  describe('buffer conversion', () => {
    it('round-trips 0, 1, 2^64 and 2^128 - 1', () => {
      for (const k of [0n, 1n, 1n << 64n, (1n << 64n) - 1n, HASH_KEY_MAX]) {
        assert.equal(bufferToHashKey(hashKeyToBuffer(k)), k);
      }
      assert.deepEqual(hashKeyToBuffer(HASH_KEY_MAX), Buffer.alloc(16, 0xff));
      assert.deepEqual(hashKeyToBuffer(1n), Buffer.from('00000000000000000000000000000001', 'hex'));
    });

    it('rejects 2^128 and -1', () => {
      assert.throws(() => hashKeyToBuffer(HASH_KEY_SPACE), /out of range/);
      assert.throws(() => hashKeyToBuffer(-1n), /out of range/);
    });

    it('rejects buffers that are not 16 bytes', () => {
      assert.throws(() => bufferToHashKey(Buffer.alloc(15)), /16 bytes/);
      assert.throws(() => bufferToHashKey(Buffer.alloc(17)), /16 bytes/);
    });

    it('reads a 16-byte view inside a larger buffer', () => {
      const big = Buffer.alloc(32, 0);
      big[8 + 15] = 7;
      assert.equal(bufferToHashKey(big.subarray(8, 24)), 7n);
    });

    it('round-trips any key (property)', () => {
      fc.assert(fc.property(hashKeyArb, (k) => bufferToHashKey(hashKeyToBuffer(k)) === k));
    });
  });

  describe('evenHashKeyRanges', () => {
    it('gives one shard the whole space', () => {
      assert.deepEqual(evenHashKeyRanges(1), [{ start: 0n, end: HASH_KEY_MAX }]);
    });

    it('matches what Kinesis returns for 3 shards', () => {
      const r = evenHashKeyRanges(3);
      assert.equal(r[0]?.start, 0n);
      assert.equal(r[0]?.end, 113427455640312821154458202477256070484n);
      assert.equal(r[1]?.start, 113427455640312821154458202477256070485n);
      assert.equal(r[1]?.end, 226854911280625642308916404954512140969n);
      assert.equal(r[2]?.start, 226854911280625642308916404954512140970n);
      assert.equal(r[2]?.end, HASH_KEY_MAX);
    });

    it('matches what Kinesis returns for 4 shards', () => {
      const r = evenHashKeyRanges(4);
      assert.deepEqual(r.map((x) => x.start), [
        0n,
        85070591730234615865843651857942052864n,
        170141183460469231731687303715884105728n,
        255211775190703847597530955573826158592n,
      ]);
      assert.equal(r[0]?.end, 85070591730234615865843651857942052863n);
      assert.equal(r[3]?.end, HASH_KEY_MAX);
    });

    it('rejects 0, negative and fractional shard counts', () => {
      for (const n of [0, -1, 1.5, Number.NaN]) assert.throws(() => evenHashKeyRanges(n), /positive integer/);
    });

    it('tiles the space for any shard count, sizes differing by at most 1 (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
          const r = evenHashKeyRanges(n);
          assert.equal(r.length, n);
          assert.equal(r[0]?.start, 0n);
          assert.equal(r[n - 1]?.end, HASH_KEY_MAX);
          const sizes = new Set<bigint>();
          r.forEach((x, i) => {
            assert.ok(x.start <= x.end);
            if (i > 0) assert.equal(x.start, (r[i - 1]?.end ?? -2n) + 1n);
            sizes.add(x.end - x.start + 1n);
          });
          const sorted = [...sizes].sort((a, b) => (a < b ? -1 : 1));
          assert.ok(sorted.length <= 2 && (sorted.length === 1 || (sorted[1] ?? 0n) - (sorted[0] ?? 0n) === 1n));
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('rangeContains', () => {
    it('is inclusive at both ends', () => {
      const range = { start: 10n, end: 20n };
      assert.equal(rangeContains(range, 9n), false);
      assert.equal(rangeContains(range, 10n), true);
      assert.equal(rangeContains(range, 20n), true);
      assert.equal(rangeContains(range, 21n), false);
    });

    it('puts 2^128 - 1 in the last shard and 2^128 in none', () => {
      const r = evenHashKeyRanges(5);
      assert.equal(r.filter((x) => rangeContains(x, HASH_KEY_MAX)).length, 1);
      assert.ok(rangeContains(r[4] as { start: bigint; end: bigint }, HASH_KEY_MAX));
      assert.equal(r.filter((x) => rangeContains(x, HASH_KEY_SPACE)).length, 0);
    });

    it('puts every key in exactly one even range (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 64 }), hashKeyArb, (n, k) => {
          return evenHashKeyRanges(n).filter((x) => rangeContains(x, k)).length === 1;
        }),
      );
    });
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SEQUENCE_NUMBER_PATTERN, decodeSequenceNumber, encodeSequenceNumber, sequenceNumberCounter, streamTagOf } from '../src/sequence-number';
import type { SequenceNumberParts } from '../src/sequence-number';

const OFFSET_MAX = (1n << 64n) - 1n;
const SHARD_INDEX_MAX = 0xffffffff;
const partsArb = fc.record({
  streamTag: fc.integer({ min: 0, max: 0xffffffff }),
  shardIndex: fc.integer({ min: 0, max: SHARD_INDEX_MAX }),
  offset: fc.bigInt({ min: 0n, max: OFFSET_MAX }),
});

function compareParts(a: SequenceNumberParts, b: SequenceNumberParts): number {
  if (a.shardIndex !== b.shardIndex) return a.shardIndex < b.shardIndex ? -1 : 1;
  if (a.offset !== b.offset) return a.offset < b.offset ? -1 : 1;
  return 0;
}

function compareNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('sequence-number', () => {
  const tag = streamTagOf('9b2f4f0e-6c4a-4d8e-9f7a-1c2d3e4f5a6b');

  it('is 56 digits at the smallest and the largest parts', () => {
    const low = encodeSequenceNumber({ streamTag: 0, shardIndex: 0, offset: 0n });
    const high = encodeSequenceNumber({ streamTag: 0xffffffff, shardIndex: SHARD_INDEX_MAX, offset: OFFSET_MAX });
    assert.equal(low, (1n << 183n).toString());
    assert.equal(low.length, 56);
    assert.equal(high.length, 56);
    assert.match(low, SEQUENCE_NUMBER_PATTERN);
    assert.match(high, SEQUENCE_NUMBER_PATTERN);
  });

  it('round-trips the boundary parts', () => {
    for (const parts of [
      { streamTag: 0, shardIndex: 0, offset: 0n },
      { streamTag: tag, shardIndex: 1, offset: 1n },
      { streamTag: 0xffffffff, shardIndex: SHARD_INDEX_MAX, offset: OFFSET_MAX },
    ]) {
      assert.deepEqual(decodeSequenceNumber(encodeSequenceNumber(parts)), parts);
    }
  });

  it('rejects parts out of range', () => {
    assert.throws(() => encodeSequenceNumber({ streamTag: tag, shardIndex: 0, offset: -1n }), /offset/);
    assert.throws(() => encodeSequenceNumber({ streamTag: tag, shardIndex: 0, offset: OFFSET_MAX + 1n }), /offset/);
    assert.throws(() => encodeSequenceNumber({ streamTag: tag, shardIndex: -1, offset: 0n }), /shard index/);
    assert.throws(() => encodeSequenceNumber({ streamTag: tag, shardIndex: SHARD_INDEX_MAX + 1, offset: 0n }), /shard index/);
  });

  it('is strictly increasing in offset within a shard', () => {
    let previous = encodeSequenceNumber({ streamTag: tag, shardIndex: 3, offset: 0n });
    for (const offset of [1n, 2n, 9n, 10n, 1n << 32n, OFFSET_MAX]) {
      const next = encodeSequenceNumber({ streamTag: tag, shardIndex: 3, offset });
      assert.equal(compareNumbers(previous, next), -1);
      previous = next;
    }
  });

  it('puts every child (higher shard index) above every parent number', () => {
    const parentLast = encodeSequenceNumber({ streamTag: tag, shardIndex: 0, offset: OFFSET_MAX });
    const childFirst = encodeSequenceNumber({ streamTag: tag, shardIndex: 1, offset: 0n });
    assert.equal(compareNumbers(parentLast, childFirst), -1);
  });

  it('rejects numbers this system did not issue', () => {
    const foreign = [
      '0',
      '1',
      '49590338271490256608559692538361571095921575989136588898', // a real Kinesis number: 56 digits, top bits not ours
      (1n << 183n) - 1n, // 55 digits
      1n << 184n, // one bit too many
      (1n << 183n) | (1n << 150n), // reserved bits set
    ].map(String);
    for (const n of foreign) assert.equal(decodeSequenceNumber(n), undefined, n);
  });

  it('rejects strings outside the API pattern', () => {
    for (const n of ['', '-1', '01', '1.0', '1e5', ' 1', 'abc', '1'.repeat(130)]) {
      assert.equal(SEQUENCE_NUMBER_PATTERN.test(n), false, n);
      assert.equal(decodeSequenceNumber(n), undefined, n);
    }
  });

  it('derives a stable 32-bit stream tag that differs between streams', () => {
    assert.equal(streamTagOf('a'), streamTagOf('a'));
    assert.notEqual(streamTagOf('a'), streamTagOf('b'));
    assert.ok(Number.isInteger(tag) && tag >= 0 && tag <= 0xffffffff);
    // SHA-256('a') starts with ca978112.
    assert.equal(streamTagOf('a'), 0xca978112);
  });

  it('round-trips any parts (property)', () => {
    fc.assert(fc.property(partsArb, (parts) => {
      const text = encodeSequenceNumber(parts);
      assert.equal(text.length, 56);
      assert.deepEqual(decodeSequenceNumber(text), { ...parts });
    }));
  });

  it('orders numbers of one stream as (shardIndex, offset), numerically and as strings (property)', () => {
    fc.assert(fc.property(partsArb, partsArb, (a, b) => {
      const x = encodeSequenceNumber({ ...a, streamTag: tag });
      const y = encodeSequenceNumber({ ...b, streamTag: tag });
      const expected = compareParts(a, b);
      assert.equal(compareNumbers(x, y), expected);
      assert.equal(x < y ? -1 : x > y ? 1 : 0, expected);
    }));
  });

  describe('sequenceNumberCounter', () => {
    function expectRun(first: SequenceNumberParts, count: number): void {
      const next = sequenceNumberCounter(first);
      for (let i = 0; i < count; i++) assert.equal(next(), encodeSequenceNumber({ ...first, offset: first.offset + BigInt(i) }));
    }

    it('numbers consecutive offsets as encodeSequenceNumber does (property)', () => {
      fc.assert(fc.property(partsArb.filter((p) => p.offset <= OFFSET_MAX - 600n), fc.integer({ min: 1, max: 600 }), expectRun));
    });

    it('carries across every decimal power up to 10^12', () => {
      const start = BigInt(encodeSequenceNumber({ streamTag: tag, shardIndex: 3, offset: 0n }));
      for (let k = 1n; k <= 12n; k++) {
        const power = 10n ** k;
        // The offset whose number is 3 below the next multiple of 10^k: the run crosses ...999 -> ...000.
        expectRun({ streamTag: tag, shardIndex: 3, offset: power - (start % power) - 3n }, 8);
      }
    });

    it('refuses to go past the largest offset', () => {
      const next = sequenceNumberCounter({ streamTag: tag, shardIndex: 0, offset: OFFSET_MAX - 1n });
      assert.equal(next(), encodeSequenceNumber({ streamTag: tag, shardIndex: 0, offset: OFFSET_MAX - 1n }));
      assert.equal(next(), encodeSequenceNumber({ streamTag: tag, shardIndex: 0, offset: OFFSET_MAX }));
      assert.throws(() => next(), /offset out of range/);
    });
  });
});

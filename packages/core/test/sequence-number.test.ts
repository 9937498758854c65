import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  SEQUENCE_NUMBER_PATTERN, decodeSequenceNumber, encodeSequenceNumber, parseSequenceNumber, sequenceNumberCounter, startingSequenceNumber,
} from '../src/sequence-number';
import type { SequenceNumberParts } from '../src/sequence-number';

const OFFSET_MAX = (1n << 63n) - 1n;
const SHARD_INDEX_MAX = 0x7fffffff;
const SECS_MAX = 2 ** 36 - 1;
const NOW_SECS = 1_767_225_600; // 2026-01-01
const partsArb = fc.record({
  shardCreatedSecs: fc.integer({ min: 0, max: SECS_MAX }),
  shardIndex: fc.integer({ min: 0, max: SHARD_INDEX_MAX }),
  offset: fc.bigInt({ min: 0n, max: OFFSET_MAX }),
  arrivalSecs: fc.integer({ min: 0, max: SECS_MAX }),
});

function compareNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function hexOf(text: string): string {
  return BigInt(text).toString(16);
}

describe('sequence-number', () => {
  const base: SequenceNumberParts = { shardCreatedSecs: NOW_SECS, shardIndex: 3, offset: 0n, arrivalSecs: NOW_SECS };

  it('has the hex layout of Kinesis version-2 numbers (lead 2, created secs, index nibble, offset, 00, arrival secs, index, 2)', () => {
    const text = encodeSequenceNumber({ shardCreatedSecs: 0x5a1b2c3d, shardIndex: 0x12, offset: 0xabcn, arrivalSecs: 0x5a1b2c40 });
    assert.equal(hexOf(text), '2' + '05a1b2c3d' + '2' + '0000000000000abc' + '00' + '05a1b2c40' + '00000012' + '2');
    assert.equal(text.length, 56);
    assert.match(text, SEQUENCE_NUMBER_PATTERN);
  });

  it('round-trips the boundary parts', () => {
    for (const parts of [
      { shardCreatedSecs: 0, shardIndex: 0, offset: 0n, arrivalSecs: 0 },
      { ...base, offset: 1n },
      { shardCreatedSecs: SECS_MAX, shardIndex: SHARD_INDEX_MAX, offset: OFFSET_MAX, arrivalSecs: SECS_MAX },
    ]) {
      // A creation time at or past Kinesis' "date too large" is not read back as ours.
      const expected = parts.shardCreatedSecs >= 16025175000 ? undefined : parts;
      assert.deepEqual(decodeSequenceNumber(encodeSequenceNumber(parts)), expected);
    }
  });

  it('rejects parts out of range', () => {
    assert.throws(() => encodeSequenceNumber({ ...base, offset: -1n }), /offset/);
    assert.throws(() => encodeSequenceNumber({ ...base, offset: OFFSET_MAX + 1n }), /offset/);
    assert.throws(() => encodeSequenceNumber({ ...base, shardIndex: -1 }), /shard index/);
    assert.throws(() => encodeSequenceNumber({ ...base, shardIndex: SHARD_INDEX_MAX + 1 }), /shard index/);
    assert.throws(() => encodeSequenceNumber({ ...base, arrivalSecs: SECS_MAX + 1 }), /arrival/);
    assert.throws(() => encodeSequenceNumber({ ...base, shardCreatedSecs: -1 }), /creation/);
  });

  it('is strictly increasing in offset within a shard, whatever the arrival times (non-decreasing)', () => {
    let previous = encodeSequenceNumber(base);
    let arrival = NOW_SECS;
    for (const offset of [1n, 2n, 9n, 10n, 1n << 32n, OFFSET_MAX]) {
      arrival += 7;
      const next = encodeSequenceNumber({ ...base, offset, arrivalSecs: arrival });
      assert.equal(compareNumbers(previous, next), -1);
      previous = next;
    }
  });

  it('puts every number of a shard created a second later above every number of an older shard', () => {
    const parentLast = encodeSequenceNumber({ shardCreatedSecs: NOW_SECS, shardIndex: 15, offset: OFFSET_MAX, arrivalSecs: SECS_MAX });
    const childFirst = encodeSequenceNumber({ shardCreatedSecs: NOW_SECS + 1, shardIndex: 16, offset: 0n, arrivalSecs: NOW_SECS + 1 });
    assert.equal(compareNumbers(parentLast, childFirst), -1);
  });

  it('gives a shard StartingSequenceNumber at offset 0 no greater than its first record', () => {
    const start = startingSequenceNumber(NOW_SECS, 2);
    const first = encodeSequenceNumber({ shardCreatedSecs: NOW_SECS, shardIndex: 2, offset: 0n, arrivalSecs: NOW_SECS + 5 });
    assert.equal(compareNumbers(start, first), -1);
    assert.deepEqual(decodeSequenceNumber(start), { shardCreatedSecs: NOW_SECS, shardIndex: 2, offset: 0n, arrivalSecs: NOW_SECS });
  });

  it('reads the layouts Kinesis accepts as Kinesis does', () => {
    const v2 = (hex: string) => parseSequenceNumber(BigInt('0x' + hex).toString());
    // Small numbers are version-0 numbers; '5' names shard 5, '0' shard 0.
    assert.deepEqual(parseSequenceNumber('5'), { version: 0, shardCreatedSecs: 0, shardIndex: 5, offset: 0n, arrivalSecs: 0 });
    assert.equal(parseSequenceNumber('0')?.shardIndex, 0);
    // A version-0 number whose creation time is too large is invalid.
    assert.equal(v2('13bb2cc3d80000000000000000000000'), undefined);
    // Version 2 with an offset whose top bit is set is invalid; an index with its top bit set reads as negative.
    assert.equal(v2('20000000000800000000000000000000000000000000002'), undefined);
    assert.equal(v2('20000000000000000000000000000000000000800000002')?.shardIndex, -2147483648);
    // Versions 3 and 4, and a lead digit of 3 or 1, are invalid; version 1 is read.
    for (const hex of ['20000000000000000000000000000000000000000000003', '20000000000000000000000000000000000000000000004',
      '30000000000000000000000000000000000000000000001', '1ffffffffff7fffffffffffffff000000000007fffffff2']) {
      assert.equal(v2(hex), undefined, hex);
    }
    assert.equal(v2('20000000000000000000000000000000000000000000001')?.version, 1);
    // Creation seconds past the limit are invalid.
    assert.equal(v2('2ffffffffff7fffffffffffffff000000000007fffffff2'), undefined);
  });

  it('decodes only version-2 numbers with a non-negative index as its own', () => {
    for (const n of ['0', '1', '5', BigInt('0x20000000000000000000000000000000000000800000002').toString(), BigInt('0x20000000000000000000000000000000000000000000001').toString()]) {
      assert.equal(decodeSequenceNumber(n), undefined, n);
    }
  });

  it('rejects strings outside the API pattern', () => {
    for (const n of ['', '-1', '01', '1.0', '1e5', ' 1', 'abc', '1'.repeat(130)]) {
      assert.equal(SEQUENCE_NUMBER_PATTERN.test(n), false, n);
      assert.equal(decodeSequenceNumber(n), undefined, n);
    }
  });

  it('round-trips any parts with a valid creation time (property)', () => {
    fc.assert(fc.property(partsArb.filter((p) => p.shardCreatedSecs < 16025175000), (parts) => {
      const text = encodeSequenceNumber(parts);
      assert.equal(text.length, 56);
      assert.deepEqual(decodeSequenceNumber(text), { ...parts });
    }));
  });

  it('orders the numbers of one shard by offset, numerically and as strings (property)', () => {
    fc.assert(fc.property(partsArb, partsArb, (a, b) => {
      const x = encodeSequenceNumber({ ...base, offset: a.offset, arrivalSecs: a.arrivalSecs });
      const y = encodeSequenceNumber({ ...base, offset: b.offset, arrivalSecs: b.arrivalSecs });
      const expected = a.offset === b.offset ? Math.sign(a.arrivalSecs - b.arrivalSecs) : a.offset < b.offset ? -1 : 1;
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

    it('refuses to go past the largest offset', () => {
      const next = sequenceNumberCounter({ ...base, offset: OFFSET_MAX - 1n });
      assert.equal(next(), encodeSequenceNumber({ ...base, offset: OFFSET_MAX - 1n }));
      assert.equal(next(), encodeSequenceNumber({ ...base, offset: OFFSET_MAX }));
      assert.throws(() => next(), /offset out of range/);
    });
  });
});

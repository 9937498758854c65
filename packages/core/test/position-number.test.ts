/** Position numbers: SubscribeToShard's continuation where no record precedes the position (sequence-number.ts header). */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { decodeSequenceNumber, encodeSequenceNumber, isPositionNumber, positionSequenceNumber } from '../src/sequence-number';

const shardArb = fc.record({
  shardCreatedSecs: fc.integer({ min: 1, max: 4_000_000_000 }),
  shardIndex: fc.integer({ min: 0, max: 0x7fffffff }),
});
const offsetArb = fc.bigInt({ min: 1n, max: (1n << 62n) });

describe('position numbers', () => {
  it('round-trip as positions, and record numbers are never positions', () => {
    fc.assert(fc.property(shardArb, offsetArb, fc.integer({ min: 1, max: 4_000_000_000 }), (s, offset, arrivalSecs) => {
      const position = decodeSequenceNumber(positionSequenceNumber(s.shardCreatedSecs, s.shardIndex, offset))!;
      assert.deepEqual(position, { ...s, offset, arrivalSecs: 0 });
      assert.equal(isPositionNumber(position), true);
      assert.equal(isPositionNumber(decodeSequenceNumber(encodeSequenceNumber({ ...s, offset, arrivalSecs }))!), false);
    }));
  });

  it('sort after every record before the position and before the record at it', () => {
    fc.assert(fc.property(shardArb, offsetArb, fc.integer({ min: 1, max: 4_000_000_000 }), (s, offset, arrivalSecs) => {
      const position = BigInt(positionSequenceNumber(s.shardCreatedSecs, s.shardIndex, offset));
      assert.ok(BigInt(encodeSequenceNumber({ ...s, offset: offset - 1n, arrivalSecs })) < position);
      assert.ok(position < BigInt(encodeSequenceNumber({ ...s, offset, arrivalSecs })));
    }));
  });

  it('match the API pattern', () => {
    assert.match(positionSequenceNumber(1_700_000_000, 3, 0n), /^(0|[1-9]\d{0,128})$/);
  });
});

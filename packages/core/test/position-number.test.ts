/** Position numbers: SubscribeToShard's continuation where no record precedes the position (sequence-number.ts header). */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { decodeSequenceNumber, encodeSequenceNumber } from '../src/sequence-number';

const partsArb = fc.record({
  streamTag: fc.integer({ min: 0, max: 0xffffffff }),
  shardIndex: fc.integer({ min: 0, max: 0xffffffff }),
  offset: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
});

describe('position numbers', () => {
  it('round-trip with the position flag, and records round-trip without it', () => {
    fc.assert(fc.property(partsArb, (p) => {
      assert.deepEqual(decodeSequenceNumber(encodeSequenceNumber({ ...p, position: true })), { ...p, position: true });
      assert.deepEqual(decodeSequenceNumber(encodeSequenceNumber(p)), { ...p });
    }));
  });

  it('are 55 digits and smaller than every record number, of any shard', () => {
    fc.assert(fc.property(partsArb, partsArb, (a, b) => {
      const position = encodeSequenceNumber({ ...a, position: true });
      assert.equal(position.length, 55);
      assert.ok(BigInt(position) < BigInt(encodeSequenceNumber(b)));
    }));
  });

  it('match the API pattern, and neighbours of the two prefixes are still refused', () => {
    const position = encodeSequenceNumber({ streamTag: 7, shardIndex: 3, offset: 0n, position: true });
    assert.match(position, /^(0|[1-9]\d{0,128})$/);
    assert.equal(decodeSequenceNumber(((1n << 182n) - 1n).toString()), undefined);
    assert.equal(decodeSequenceNumber(((1n << 183n) | (1n << 182n)).toString()), undefined);
  });
});

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { normaliseShardId, shardIdFromIndex, shardIndexFromId } from '../src/shard-id';

describe('shard-id', () => {
  it('spells ids as Kinesis does', () => {
    assert.equal(shardIdFromIndex(0), 'shardId-000000000000');
    assert.equal(shardIdFromIndex(7), 'shardId-000000000007');
    assert.equal(shardIdFromIndex(999_999_999_999), 'shardId-999999999999');
  });

  it('rejects indexes that do not fit 12 digits or are not integers', () => {
    for (const i of [-1, 1e12, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => shardIdFromIndex(i), /bad shard index/);
    }
  });

  it('parses well-formed ids', () => {
    assert.equal(shardIndexFromId('shardId-000000000000'), 0);
    assert.equal(shardIndexFromId('shardId-000000000042'), 42);
    assert.equal(shardIndexFromId('shardId-999999999999'), 999_999_999_999);
  });

  it('returns undefined for malformed ids', () => {
    for (const id of ['', 'shardId-', 'shardId-1', 'shardId-00000000001', 'shardId-0000000000001', 'ShardId-000000000001', 'shardId-00000000000a', ' shardId-000000000001', 'shardId-000000000001\n', 'shardid-000000000001']) {
      assert.equal(shardIndexFromId(id), undefined, id);
    }
  });

  it('round-trips and keeps index order as string order (property)', () => {
    const indexArb = fc.integer({ min: 0, max: 999_999_999_999 });
    fc.assert(
      fc.property(indexArb, indexArb, (a, b) => {
        assert.equal(shardIndexFromId(shardIdFromIndex(a)), a);
        const x = shardIdFromIndex(a);
        const y = shardIdFromIndex(b);
        assert.equal(Math.sign(a - b), x < y ? -1 : x > y ? 1 : 0);
      }),
    );
  });
});

describe('normaliseShardId', () => {
  it('reads the number after the first dash, as Kinesis does', () => {
    assert.equal(normaliseShardId('shardId-000000000003'), 'shardId-000000000003');
    assert.equal(normaliseShardId('shardId-0'), 'shardId-000000000000');
    assert.equal(normaliseShardId('a-0005'), 'shardId-000000000005');
    assert.equal(normaliseShardId('7'), 'shardId-000000000007');
    assert.equal(normaliseShardId('2147483647'), 'shardId-002147483647');
  });
  it('rejects what names no shard index', () => {
    for (const bad of ['', 'shardId-', 'shardId-x', 'abc', '2147483648', 'shardId-1.5', 'shardId- 1']) {
      assert.equal(normaliseShardId(bad), undefined, bad);
    }
  });
});

/**
 * The JSON 1.1 codec writes exactly what JSON.stringify writes for the
 * tree with blobs as base64 and Dates as epoch seconds, including output
 * longer than one flush and text that needs escaping or is not ASCII.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonCodec } from '../../src/protocol/json-codec';

/** The reference: convert, then JSON.stringify (what the codec did before it wrote directly). */
function reference(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(reference);
  // fromEntries defines own members, "__proto__" included (an assignment would set the prototype instead).
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, reference(v)]));
}

function expectSame(value: Readonly<Record<string, unknown>>): void {
  const got = jsonCodec.encode(value);
  assert.equal(got.toString('utf8'), JSON.stringify(reference(value)));
}

describe('jsonCodec.encode', () => {
  it('writes scalars, nesting, blobs, timestamps and skips undefined members', () => {
    expectSame({});
    expectSame({ a: 1, b: 'x', c: true, d: null, e: undefined, f: [], g: {}, h: [1, 'two', null, { i: 2.5 }] });
    expectSame({ Data: Buffer.from([0, 1, 2, 250, 251]), Empty: Buffer.alloc(0), At: new Date(1_700_000_000_123), NaN: Number.NaN });
    expectSame({ Nested: { Deeper: { Deepest: [[Buffer.from('hi')], [new Date(0)]] } } });
  });

  it('escapes strings and writes non-ASCII text as UTF-8', () => {
    expectSame(JSON.parse('{"__proto__": "own member", "a": 1}') as Record<string, unknown>);
    expectSame({ 'k"ey': 'quote " backslash \\ newline \n tab \t nul \u0000', uni: 'é漢字🙂', 'ключ': 'значение' });
  });

  it('writes any string, key or value, as JSON.stringify does, lone surrogates included (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }))), (tree) => {
      expectSame({ Tree: tree, Plain: 'shardId-000000000001', Seq: '49651234567890123456789012345678901234567890123456789012' });
    }), { numRuns: 300 });
  });

  it('writes output much longer than one flush, as GetRecords does', () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({
      SequenceNumber: String(10n ** 40n + BigInt(i)), ApproximateArrivalTimestamp: new Date(1_700_000_000_000 + i),
      Data: Buffer.alloc(700 + (i % 5), i & 0xff), PartitionKey: `pk-${i}-é`,
    }));
    expectSame({ Records: records, NextShardIterator: 'AAAA', MillisBehindLatest: 0 });
  });

  it('writes values encoded ahead (preEncode) exactly as it writes them in place, also across flushes', () => {
    const records = Array.from({ length: 200 }, (_, i) => ({
      SequenceNumber: String(10n ** 40n + BigInt(i)), ApproximateArrivalTimestamp: new Date(1_700_000_000_000 + i),
      Data: Buffer.alloc(900 + i, i & 0xff), PartitionKey: `pk-${i}-é`, EncryptionType: i % 2 === 0 ? undefined : 'KMS',
    }));
    const tree = { Records: records, ContinuationSequenceNumber: '4965', MillisBehindLatest: 3 };
    const ahead = { ...tree, Records: records.map((r) => jsonCodec.preEncode!(r)) };
    assert.equal(jsonCodec.encode(ahead).toString('utf8'), JSON.stringify(reference(tree)));
  });

  it('refuses trees nested deeper than its bound', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { d: deep };
    assert.throws(() => jsonCodec.encode(deep), /nests too deeply/);
  });
});

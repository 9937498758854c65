/**
 * The CBOR 1.1 codec against bytes written the way the AWS SDK for Java
 * writes them (Jackson's CBOR generator: indefinite-length maps, definite
 * strings, tag 1 + 64-bit epoch millis for timestamps), and through the
 * dispatcher's validation.
 */
import assert from 'node:assert/strict';
import { validateRequest, GET_SHARD_ITERATOR, PUT_RECORD } from '@shoal/core';
import { cborCodec } from '../../src/protocol/cbor-codec';

/** CBOR head: major type and argument in the shortest form (uint64 when `long`). */
function head(major: number, n: number, long = false): Buffer {
  if (long) { const b = Buffer.alloc(9); b[0] = (major << 5) | 27; b.writeBigUInt64BE(BigInt(n), 1); return b; }
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}
const text = (s: string): Buffer => Buffer.concat([head(3, Buffer.byteLength(s)), Buffer.from(s)]);
const bytes = (b: Buffer): Buffer => Buffer.concat([head(2, b.length), b]);
const javaTimestamp = (ms: number): Buffer => Buffer.concat([Buffer.from([0xc1]), head(0, ms, true)]);
/** An indefinite-length map (0xBF ... 0xFF), as Jackson writes objects. */
const map = (...entries: Array<[string, Buffer]>): Buffer => Buffer.concat([Buffer.from([0xbf]), ...entries.flatMap(([k, v]) => [text(k), v]), Buffer.from([0xff])]);

describe('CBOR 1.1 codec', () => {
  it('reads a Java-SDK PutRecord: byte-string Data, no base64', () => {
    const data = Buffer.from([0, 1, 2, 0xff]);
    const body = map(['StreamName', text('orders')], ['Data', bytes(data)], ['PartitionKey', text('pk')]);
    const input = validateRequest<{ Data: Buffer; StreamName: string }>(PUT_RECORD, cborCodec.decode(body), cborCodec.timestampUnit);
    assert.deepEqual(input.Data, data);
    assert.equal(input.StreamName, 'orders');
  });

  it('reads tag-1 timestamps and plain numbers as epoch milliseconds', () => {
    const at = Date.parse('2026-01-02T03:04:05.678Z');
    for (const ts of [javaTimestamp(at), head(0, at, true)]) {
      const body = map(['StreamName', text('s')], ['ShardId', text('shardId-000000000000')], ['ShardIteratorType', text('AT_TIMESTAMP')], ['Timestamp', ts]);
      const input = validateRequest<{ Timestamp: number }>(GET_SHARD_ITERATOR, cborCodec.decode(body), cborCodec.timestampUnit);
      assert.equal(input.Timestamp, at);
    }
  });

  it('gives the same SerializationException messages as JSON for wrong types', () => {
    const body = map(['StreamName', head(0, 5)], ['Data', bytes(Buffer.from('x'))], ['PartitionKey', text('k')]);
    assert.throws(() => validateRequest(PUT_RECORD, cborCodec.decode(body), cborCodec.timestampUnit), {
      name: 'SerializationException', message: 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String',
    });
  });

  it('writes Buffers as byte strings, Dates as tag 1 + integer millis, and leaves undefined members out', () => {
    const at = Date.parse('2026-01-02T03:04:05.678Z');
    const out = cborCodec.encode({ Data: Buffer.from('hi'), At: new Date(at), Gone: undefined, List: [{ Kept: 1, Gone: undefined }] });
    assert.equal(out[0], 0xa3, 'a definite map of three');
    assert.deepEqual(cborCodec.decode(out), { Data: Buffer.from('hi'), At: new Date(at), List: [{ Kept: 1 }] });
    assert.ok(out.includes(Buffer.concat([text('Data'), bytes(Buffer.from('hi'))])));
    assert.ok(out.includes(Buffer.concat([text('At'), javaTimestamp(at)])), out.toString('hex'));
  });

  it('refuses trailing bytes and cannot be made to change prototypes', () => {
    assert.throws(() => cborCodec.decode(Buffer.concat([map(['a', head(0, 1)]), Buffer.from([0])])));
    const decoded = cborCodec.decode(map(['__proto__', map(['polluted', head(0, 1)])])) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

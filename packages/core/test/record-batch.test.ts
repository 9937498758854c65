import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  RecordBatch, assembleRecordBatch, crc32, encodeRecordBatch, encodeRecordBody, readRecordBatchHeader, scanRecordBody, RECORD_BATCH_HEADER_BYTES, type RecordInput,
} from '../src/record-batch';

function parseOk(bytes: Buffer): RecordBatch {
  const b = RecordBatch.parse(bytes, true);
  if (typeof b === 'string') throw new Error(b);
  return b;
}

describe('record-batch', () => {
  const records: RecordInput[] = [
    { arrivalMs: 1_700_000_000_000, partitionKey: 'a', data: Buffer.from('hello') },
    { arrivalMs: 1_700_000_000_000, partitionKey: 'ключ-🙂', data: Buffer.alloc(0) },
    { arrivalMs: 1_700_000_000_005, partitionKey: 'x'.repeat(256), data: Buffer.alloc(1024 * 1024, 7) },
  ];

  it('round-trips header and records, data as views', () => {
    const bytes = encodeRecordBatch(3, 2 ** 40, records);
    const batch = parseOk(bytes);
    assert.equal(batch.epoch, 3);
    assert.equal(batch.firstOffset, 2 ** 40);
    assert.equal(batch.count, 3);
    assert.equal(batch.endOffset, 2 ** 40 + 3);
    assert.equal(batch.header.firstArrivalMs, 1_700_000_000_000);
    assert.equal(batch.header.lastArrivalMs, 1_700_000_000_005);
    const out = [...batch.records()];
    assert.deepEqual(out.map((r) => r.offset), [2 ** 40, 2 ** 40 + 1, 2 ** 40 + 2]);
    assert.deepEqual(out.map((r) => r.partitionKey), records.map((r) => r.partitionKey));
    assert.deepEqual(out.map((r) => r.arrivalMs), records.map((r) => r.arrivalMs));
    assert.ok(out[0]!.data.equals(Buffer.from('hello')));
    assert.equal(out[2]!.data.length, 1024 * 1024);
    assert.equal(out[2]!.data.buffer, bytes.buffer, 'data is a view into the batch');
  });

  it('iterates from an offset inside the batch', () => {
    const batch = parseOk(encodeRecordBatch(1, 10, records));
    assert.deepEqual([...batch.records(12)].map((r) => r.offset), [12]);
    assert.deepEqual([...batch.records(13)], []);
  });

  it('crc32 matches the IEEE check value', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.from('xx123456789y'), 2, 11), 0xcbf43926);
  });

  it('record bodies: scanned, sliced and assembled into the batch encodeRecordBatch makes', () => {
    const body = encodeRecordBody(records);
    const starts = scanRecordBody(body, 3);
    if (typeof starts === 'string') throw new Error(starts);
    assert.equal(starts[3], body.length);
    const sizes = [0, 1, 2].map((i) => starts[i + 1]! - starts[i]! - 14);
    assert.deepEqual(sizes, records.map((r) => Buffer.byteLength(r.partitionKey) + r.data.length));
    const same = records.map((r) => ({ ...r, arrivalMs: 9 }));
    const whole = assembleRecordBatch(4, 100, 9, [{ body, start: 0, end: body.length, count: 3 }]);
    assert.ok(whole.equals(encodeRecordBatch(4, 100, same)));
    const split = assembleRecordBatch(4, 100, 9, [{ body, start: 0, end: starts[1]!, count: 1 }, { body, start: starts[2]!, end: starts[3]!, count: 1 }]);
    assert.ok(split.equals(encodeRecordBatch(4, 100, [same[0]!, same[2]!])));
  });

  it('record bodies: malformed ones are refused', () => {
    const body = encodeRecordBody(records.slice(0, 2));
    for (const [b, n] of [[body, 1], [body, 3], [body.subarray(0, body.length - 1), 2], [Buffer.concat([body, Buffer.alloc(1)]), 2], [body, 0]] as const) {
      assert.equal(typeof scanRecordBody(b, n), 'string', `${b.length} bytes as ${n} records`);
    }
    assert.throws(() => assembleRecordBatch(1, 0, 1, [{ body, start: 0, end: body.length - 1, count: 2 }]));
    assert.throws(() => assembleRecordBatch(1, 0, 1, [{ body, start: 0, end: body.length, count: 1 }]));
  });

  it('detects every single flipped bit, in header or body', () => {
    const bytes = encodeRecordBatch(1, 0, records.slice(0, 2));
    assert.ok(bytes.length > RECORD_BATCH_HEADER_BYTES);
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const copy = Buffer.from(bytes);
        copy[i] = copy[i]! ^ (1 << bit);
        assert.equal(typeof RecordBatch.parse(copy, true), 'string', `flip at byte ${i} bit ${bit} went unnoticed`);
      }
    }
  });

  it('rejects truncated, extended and foreign buffers', () => {
    const bytes = encodeRecordBatch(1, 0, records.slice(0, 1));
    assert.equal(typeof readRecordBatchHeader(bytes.subarray(0, 10)), 'string');
    assert.equal(typeof RecordBatch.parse(bytes.subarray(0, bytes.length - 1), true), 'string');
    assert.equal(typeof RecordBatch.parse(Buffer.concat([bytes, Buffer.alloc(1)]), true), 'string');
    assert.equal(typeof RecordBatch.parse(Buffer.alloc(100), false), 'string');
  });

  it('refuses bad input at encode time', () => {
    assert.throws(() => encodeRecordBatch(1, 0, []));
    assert.throws(() => encodeRecordBatch(1, -1, records));
    assert.throws(() => encodeRecordBatch(1, 0, [records[2]!, records[0]!]), /arrival/);
  });

  it('round-trips arbitrary records (property)', () => {
    const rec = fc.record({ key: fc.string({ minLength: 1, maxLength: 256 }), data: fc.uint8Array({ maxLength: 300 }), dt: fc.nat(1000) });
    fc.assert(fc.property(fc.array(rec, { minLength: 1, maxLength: 20 }), fc.nat(2 ** 48), (rs, first) => {
      let t = 1_600_000_000_000;
      const input = rs.map((r) => ({ arrivalMs: (t += r.dt), partitionKey: r.key, data: r.data }));
      const out = [...parseOk(encodeRecordBatch(7, first, input)).records()];
      assert.equal(out.length, input.length);
      out.forEach((r, i) => {
        assert.equal(r.offset, first + i);
        assert.equal(r.partitionKey, input[i]!.partitionKey);
        assert.equal(r.arrivalMs, input[i]!.arrivalMs);
        assert.ok(r.data.equals(Buffer.from(input[i]!.data)));
      });
    }), { numRuns: 200 });
  });
});

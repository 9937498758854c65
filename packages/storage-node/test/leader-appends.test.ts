import * as assert from 'node:assert/strict';
import { RecordBatch, assembleRecordBatch, encodeRecordBody, type RecordBodySlice } from '@shoal/core';
import { admitRecords, appendRecordsOf, okResult, type AppendRecords } from '../src/leader-appends';

const entries = (n: number, tag: string): Array<{ partitionKey: string; data: Buffer }> =>
  Array.from({ length: n }, (_, i) => ({ partitionKey: `${tag}-${i}`, data: Buffer.from(`${tag}${i}`.repeat(i + 1)) }));

function recordsOf(req: Parameters<typeof appendRecordsOf>[0]): AppendRecords {
  const recs = appendRecordsOf(req);
  if (typeof recs === 'string') throw new Error(recs);
  return recs;
}

function batchOf(slices: RecordBodySlice[]): RecordBatch {
  const b = RecordBatch.parse(assembleRecordBatch(2, 10, 77, slices), true);
  if (typeof b === 'string') throw new Error(b);
  return b;
}

describe('leader-appends', () => {
  const body = encodeRecordBody(entries(5, 'k'));

  it('takes a records_body as is, sized as Kinesis counts (key + data bytes)', () => {
    const recs = recordsOf({ records_body: body, record_count: 5 });
    assert.equal(recs.body, body);
    assert.equal(recs.bytes, entries(5, 'k').reduce((n, e) => n + e.partitionKey.length + e.data.length, 0));
  });

  it('refuses a body that does not hold record_count records', () => {
    assert.equal(typeof appendRecordsOf({ records_body: body, record_count: 4 }), 'string');
    assert.equal(typeof appendRecordsOf({ records_body: body, record_count: 6 }), 'string');
    assert.equal(typeof appendRecordsOf({ records_body: Buffer.alloc(0), record_count: 0 }), 'string', 'an empty shard entry is malformed');
    assert.equal(typeof appendRecordsOf({ records_body: body.subarray(0, body.length - 1), record_count: 5 }), 'string');
  });

  it('without limits admits the whole body as one slice', () => {
    const recs = recordsOf({ records_body: body, record_count: 5 });
    const slices: RecordBodySlice[] = [];
    const adm = admitRecords(recs, 10, 77, undefined, slices);
    assert.deepEqual([adm.admitted, adm.throttled, slices.length], [5, [], 1]);
    const batch = batchOf(slices);
    assert.deepEqual([...batch.records()].map((r) => [r.offset, r.arrivalMs, r.partitionKey, r.data.toString()]),
      entries(5, 'k').map((e, i) => [10 + i, 77, e.partitionKey, e.data.toString()]));
  });

  it('cuts throttled records out; admitted ones keep request order at consecutive offsets', () => {
    const recs = recordsOf({ records_body: body, record_count: 5 });
    const slices: RecordBodySlice[] = [];
    let call = 0;
    const sizes: number[] = [];
    const adm = admitRecords(recs, 10, 77, (bytes) => { sizes.push(bytes); return ![1, 2, 4].includes(call++); }, slices);
    assert.deepEqual(sizes, entries(5, 'k').map((e) => e.partitionKey.length + e.data.length));
    assert.deepEqual([adm.firstOffset, adm.admitted, adm.throttled, slices.length], [10, 2, [1, 2, 4], 2]);
    assert.deepEqual([...batchOf(slices).records()].map((r) => r.partitionKey), ['k-0', 'k-3']);
    assert.deepEqual(okResult(recs, adm, 3), { error: 'OK', error_message: '', epoch: 3, first_offset: 10, throttled_indexes: [1, 2, 4], result_count: 5, arrival_ms: 77 });
  });

  it('leaves the api\'s per-record overhead (encryption envelope) out of what the limits count', () => {
    const recs = recordsOf({ records_body: body, record_count: 5, record_overhead_bytes: 3 });
    const plain = entries(5, 'k').map((e) => e.partitionKey.length + e.data.length - 3);
    assert.equal(recs.bytes, plain.reduce((a, b) => a + b, 0));
    const sizes: number[] = [];
    admitRecords(recs, 0, 1, (bytes) => { sizes.push(bytes); return true; }, []);
    assert.deepEqual(sizes, plain);
  });
});

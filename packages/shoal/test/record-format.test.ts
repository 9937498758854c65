import { strict as assert } from 'node:assert';
import { recordJson, recordText, utf8Text } from '../src/tail/record-format';

const record = (data: Uint8Array): Parameters<typeof recordJson>[0] => ({
  shardId: 'shardId-000000000001', sequenceNumber: '495', partitionKey: 'k', approximateArrivalTimestamp: new Date(Date.UTC(2026, 11, 3, 10)), data,
});

describe('tail record format', () => {
  it('prints JSON with base64 data and the text when the data is UTF-8', () => {
    assert.deepEqual(recordJson(record(Buffer.from('héllo'))), {
      shardId: 'shardId-000000000001', sequenceNumber: '495', partitionKey: 'k', approximateArrivalTimestamp: '2026-12-03T10:00:00.000Z',
      data: Buffer.from('héllo').toString('base64'), text: 'héllo',
    });
  });

  it('leaves text out for data that is not UTF-8, keeping the exact bytes in base64', () => {
    const bytes = Uint8Array.from([0xff, 0x00, 0xc3]);
    const json = recordJson(record(bytes));
    assert.equal(json.text, undefined);
    assert.deepEqual(Buffer.from(json.data, 'base64'), Buffer.from(bytes));
    assert.equal(utf8Text(bytes), undefined);
    assert.equal(utf8Text(new Uint8Array(0)), '');
  });

  it('reads a view into a larger buffer correctly', () => {
    const big = Buffer.from('xxhelloyy');
    const view = new Uint8Array(big.buffer, big.byteOffset + 2, 5);
    assert.equal(recordText(record(view)), 'hello');
    assert.equal(recordJson(record(view)).data, Buffer.from('hello').toString('base64'));
  });
});

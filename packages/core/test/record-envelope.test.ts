import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  DATA_KEY_BYTES, ENVELOPE_MAGIC, ENVELOPE_OVERHEAD_BYTES, envelopeKeyVersion, openRecord, sealRecord, unwrapDataKey, wrapDataKey,
} from '../src/record-envelope';

const KEY = Buffer.alloc(DATA_KEY_BYTES, 3);
const OTHER_KEY = Buffer.alloc(DATA_KEY_BYTES, 4);
const NONCE = Buffer.alloc(12, 9);
const STREAM = 'c5c1f3a4-0000-4000-8000-000000000001';

describe('record-envelope', () => {
  it('seals key and data so neither appears in the stored bytes, and opens them again', () => {
    const data = Buffer.from('card 4111-1111-1111-1111');
    const sealed = sealRecord(KEY, 1, NONCE, STREAM, { partitionKey: 'customer-42', data });
    assert.equal(sealed.length, ENVELOPE_OVERHEAD_BYTES + 'customer-42'.length + data.length);
    assert.ok(sealed.subarray(0, 4).equals(ENVELOPE_MAGIC));
    assert.equal(sealed.indexOf(data), -1);
    assert.equal(sealed.indexOf(Buffer.from('customer-42')), -1);
    assert.deepEqual(openRecord(KEY, STREAM, sealed), { partitionKey: 'customer-42', data });
  });

  it('keeps a record without a partition key keyless, and an empty record empty', () => {
    const sealed = sealRecord(KEY, 7, NONCE, STREAM, { partitionKey: undefined, data: Buffer.alloc(0) });
    assert.equal(envelopeKeyVersion(sealed), 7);
    assert.deepEqual(openRecord(KEY, STREAM, sealed), { partitionKey: undefined, data: Buffer.alloc(0) });
  });

  it('does not open under another key, for another stream, with another version label, or with any byte changed', () => {
    const sealed = sealRecord(KEY, 1, NONCE, STREAM, { partitionKey: 'k', data: Buffer.from('hello') });
    assert.equal(openRecord(OTHER_KEY, STREAM, sealed), undefined);
    assert.equal(openRecord(KEY, 'another-stream', sealed), undefined);
    const relabelled = Buffer.from(sealed);
    relabelled.writeUInt32BE(2, 4);
    assert.equal(openRecord(KEY, STREAM, relabelled), undefined);
    for (let i = 8; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 0x01;
      assert.equal(openRecord(KEY, STREAM, bad), undefined, `byte ${i}`);
    }
  });

  it('never takes user data for an envelope, even data that starts with the magic (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const data = Buffer.concat([ENVELOPE_MAGIC, Buffer.from(bytes)]);
      assert.equal(openRecord(KEY, STREAM, data), undefined);
      assert.equal(openRecord(KEY, STREAM, Buffer.from(bytes)), undefined);
    }));
  });

  it('round-trips any record (property)', () => {
    fc.assert(fc.property(fc.option(fc.string({ minLength: 1, maxLength: 256 }), { nil: undefined }), fc.uint8Array({ maxLength: 2000 }), (partitionKey, bytes) => {
      const data = Buffer.from(bytes);
      assert.deepEqual(openRecord(KEY, STREAM, sealRecord(KEY, 3, NONCE, STREAM, { partitionKey, data })), { partitionKey, data });
    }));
  });

  it('wraps a data key under the master key, bound to the stream and version', () => {
    const wrapped = wrapDataKey(OTHER_KEY, KEY, NONCE, STREAM, 1);
    assert.equal(wrapped.indexOf(KEY), -1);
    assert.deepEqual(unwrapDataKey(OTHER_KEY, wrapped, STREAM, 1), KEY);
    assert.equal(unwrapDataKey(KEY, wrapped, STREAM, 1), undefined, 'wrong master key');
    assert.equal(unwrapDataKey(OTHER_KEY, wrapped, 'other', 1), undefined, 'other stream');
    assert.equal(unwrapDataKey(OTHER_KEY, wrapped, STREAM, 2), undefined, 'other version');
  });

  it('refuses keys, nonces and versions of the wrong size', () => {
    assert.throws(() => sealRecord(Buffer.alloc(16), 1, NONCE, STREAM, { partitionKey: 'k', data: Buffer.alloc(1) }), /data key/);
    assert.throws(() => sealRecord(KEY, 0, NONCE, STREAM, { partitionKey: 'k', data: Buffer.alloc(1) }), /version/);
    assert.throws(() => sealRecord(KEY, 1, Buffer.alloc(8), STREAM, { partitionKey: 'k', data: Buffer.alloc(1) }), /nonce/);
  });
});

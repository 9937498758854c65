import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ITERATOR_LENGTH_MAX, STREAM_NAME_LENGTH_MAX } from '../src/limits';
import { decodeShardIterator, encodeShardIterator } from '../src/shard-iterator';
import type { ShardIteratorPayload } from '../src/shard-iterator';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const OTHER_KEY = Buffer.from('0123456789abcdef0123456789abcdeF', 'utf8');
const PAYLOAD: ShardIteratorPayload = {
  streamName: 'orders',
  streamId: '9b2f4f0e-6c4a-4d8e-9f7a-1c2d3e4f5a6b',
  shardId: 'shardId-000000000003',
  offset: 12345,
  issuedMs: 1_700_000_000_000,
};
const MAX_PAYLOAD: ShardIteratorPayload = {
  ...PAYLOAD,
  streamName: 'n'.repeat(STREAM_NAME_LENGTH_MAX),
  shardId: 'shardId-999999999999',
  offset: Number.MAX_SAFE_INTEGER,
  issuedMs: Number.MAX_SAFE_INTEGER,
};

describe('shard-iterator', () => {
  it('round-trips a payload', () => {
    const text = encodeShardIterator(PAYLOAD, KEY);
    assert.deepEqual(decodeShardIterator(text, KEY), { ok: true, payload: PAYLOAD });
  });

  it('is deterministic: same payload and key, same text', () => {
    assert.equal(encodeShardIterator(PAYLOAD, KEY), encodeShardIterator({ ...PAYLOAD }, KEY));
  });

  it('fits ITERATOR_LENGTH_MAX with a 128-char stream name and the largest numbers', () => {
    const text = encodeShardIterator(MAX_PAYLOAD, KEY);
    assert.ok(text.length <= ITERATOR_LENGTH_MAX, `${text.length}`);
    assert.deepEqual(decodeShardIterator(text, KEY), { ok: true, payload: MAX_PAYLOAD });
  });

  it('round-trips offset 0, issuedMs 0 and non-ASCII fields', () => {
    const payload = { ...PAYLOAD, offset: 0, issuedMs: 0, streamId: 'é🐟' };
    assert.deepEqual(decodeShardIterator(encodeShardIterator(payload, KEY), KEY), { ok: true, payload });
  });

  it('rejects every single-bit flip of the token bytes', () => {
    const token = Buffer.from(encodeShardIterator(MAX_PAYLOAD, KEY), 'base64');
    for (let bit = 0; bit < token.length * 8; bit++) {
      const garbled = Buffer.from(token);
      garbled[bit >> 3] = (garbled[bit >> 3] as number) ^ (1 << (bit & 7));
      assert.deepEqual(decodeShardIterator(garbled.toString('base64'), KEY), { ok: false }, `bit ${bit}`);
    }
  });

  it('rejects every single-bit flip of the text characters', () => {
    const text = encodeShardIterator(PAYLOAD, KEY);
    for (let i = 0; i < text.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const garbled = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << bit)) + text.slice(i + 1);
        assert.deepEqual(decodeShardIterator(garbled, KEY), { ok: false }, `char ${i} bit ${bit}`);
      }
    }
  });

  it('rejects a token signed with another key', () => {
    assert.deepEqual(decodeShardIterator(encodeShardIterator(PAYLOAD, OTHER_KEY), KEY), { ok: false });
  });

  it('rejects truncated, extended, empty, over-long and non-canonical text', () => {
    const text = encodeShardIterator(PAYLOAD, KEY);
    const padded = encodeShardIterator({ ...PAYLOAD, streamName: 'order' }, KEY);
    assert.ok(padded.endsWith('='));
    const bad = [
      padded.replace(/=+$/, ''),
      '',
      text.slice(0, -4),
      text.slice(4),
      text + 'AAAA',
      `${text}\n`,
      ` ${text}`,
      text.slice(0, 10) + '*' + text.slice(10),
      'A'.repeat(ITERATOR_LENGTH_MAX + 4),
      'AAAA',
      Buffer.alloc(40).toString('base64'),
    ];
    for (const t of bad) assert.deepEqual(decodeShardIterator(t, KEY), { ok: false }, JSON.stringify(t));
  });

  it('rejects a correctly signed token of another format version', () => {
    // Forge with the key itself: only the version byte differs, the MAC is right.
    const token = Buffer.from(encodeShardIterator(PAYLOAD, KEY), 'base64');
    const body = Buffer.from(token.subarray(0, token.length - 32));
    body[8] = 1;
    const mac = createHmac('sha256', KEY).update('shoal/shard-iterator/v2\0').update(body).digest();
    const sameMacCheck = createHmac('sha256', KEY).update('shoal/shard-iterator/v2\0').update(token.subarray(0, token.length - 32)).digest();
    assert.deepEqual(sameMacCheck, token.subarray(token.length - 32), 'test assumes the documented MAC layout');
    assert.deepEqual(decodeShardIterator(Buffer.concat([body, mac]).toString('base64'), KEY), { ok: false });
  });

  it('starts with the 8 bytes 00..01 and pads the rest to a multiple of 16 bytes, as Kinesis iterators do', () => {
    for (const streamName of ['a', 'ab', 'x'.repeat(29), 'x'.repeat(30), 'x'.repeat(128)]) {
      const token = Buffer.from(encodeShardIterator({ ...PAYLOAD, streamName }, KEY), 'base64');
      assert.equal(token.subarray(0, 8).toString('hex'), '0000000000000001');
      assert.equal((token.length - 8) % 16, 0, streamName);
      assert.deepEqual(decodeShardIterator(token.toString('base64'), KEY), { ok: true, payload: { ...PAYLOAD, streamName } });
    }
  });

  it('refuses to encode what the format cannot hold', () => {
    assert.throws(() => encodeShardIterator({ ...PAYLOAD, offset: -1 }, KEY), /offset/);
    assert.throws(() => encodeShardIterator({ ...PAYLOAD, offset: 1.5 }, KEY), /offset/);
    assert.throws(() => encodeShardIterator({ ...PAYLOAD, offset: Number.MAX_SAFE_INTEGER + 1 }, KEY), /offset/);
    assert.throws(() => encodeShardIterator({ ...PAYLOAD, issuedMs: Number.NaN }, KEY), /issuedMs/);
    assert.throws(() => encodeShardIterator({ ...PAYLOAD, streamName: 'x'.repeat(256) }, KEY), /too long/);
    assert.throws(() => encodeShardIterator({ ...PAYLOAD, streamName: 'x'.repeat(255), streamId: 'y'.repeat(255) }, KEY), /too long/);
  });

  it('refuses keys shorter than 16 bytes', () => {
    assert.throws(() => encodeShardIterator(PAYLOAD, Buffer.alloc(15)), /key/);
    assert.throws(() => decodeShardIterator('AAAA', Buffer.alloc(0)), /key/);
  });

  it('round-trips any payload that fits and rejects it under another key (property)', () => {
    const payloadArb = fc.record({
      streamName: fc.stringMatching(/^[a-zA-Z0-9_.-]{1,128}$/),
      streamId: fc.uuid(),
      shardId: fc.integer({ min: 0, max: 999_999_999_999 }).map((i) => `shardId-${String(i).padStart(12, '0')}`),
      offset: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      issuedMs: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    });
    fc.assert(
      fc.property(payloadArb, fc.uint8Array({ minLength: 16, maxLength: 64 }), (payload, keyBytes) => {
        const key = Buffer.from(keyBytes);
        const text = encodeShardIterator(payload, key);
        assert.ok(text.length <= ITERATOR_LENGTH_MAX);
        assert.deepEqual(decodeShardIterator(text, key), { ok: true, payload: { ...payload } });
        const other = Buffer.from(key);
        other[0] = (other[0] as number) ^ 1;
        assert.deepEqual(decodeShardIterator(text, other), { ok: false });
      }),
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (text) => decodeShardIterator(text, KEY).ok === false));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 380 }), (bytes) => decodeShardIterator(Buffer.from(bytes).toString('base64'), KEY).ok === false));
  });
});

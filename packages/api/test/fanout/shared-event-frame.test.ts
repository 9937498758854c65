/** The last event framed is reused only for the very same event: same records, codec, MillisBehindLatest and clock millisecond. */
import assert from 'node:assert/strict';
import type { RecordOut__Output } from '@shoal/wire';
import { SHARED_EVENT_FRAMES, sharedEventFrame } from '../../src/fanout/shared-event-frame';
import type { Codec } from '../../src/protocol/codec';
import { cborCodec } from '../../src/protocol/cbor-codec';
import { jsonCodec } from '../../src/protocol/json-codec';

const record = (offset: number): RecordOut__Output => ({ offset: String(offset), arrival_ms: '1', partition_key: 'k', data: Buffer.alloc(4, offset) }) as never;

describe('sharedEventFrame', () => {
  it('frames an event once for the subscriptions that send it, and again when any part of the key differs', () => {
    let framed = 0;
    const frame = () => Buffer.from(`message ${++framed}`);
    const [r0, r1, r2] = [record(0), record(1), record(2)];
    const r0Again = record(0);
    const send = (codec: Codec, records: RecordOut__Output[], behind: number, nowMs: number) => sharedEventFrame(codec, records, behind, nowMs, frame);
    const base = () => send(jsonCodec, [r0, r1], 0, 1000);
    const first = base();
    assert.equal(base(), first);
    assert.equal(framed, 1);
    const variants: Record<string, () => Buffer> = {
      'another last record': () => send(jsonCodec, [r0, r2], 0, 1000),
      'another first record object, equal in value': () => send(jsonCodec, [r0Again, r1], 0, 1000),
      'another count, same ends': () => send(jsonCodec, [r0, r2, r1], 0, 1000),
      'another MillisBehindLatest': () => send(jsonCodec, [r0, r1], 7, 1000),
      'another millisecond': () => send(jsonCodec, [r0, r1], 0, 1001),
      'another codec': () => send(cborCodec, [r0, r1], 0, 1000),
    };
    for (const [what, variant] of Object.entries(variants)) {
      base();
      const before: number = framed;
      const message = variant();
      assert.equal(framed, before + 1, what);
      assert.equal(variant(), message, `${what}, sent again`);
      assert.equal(framed, before + 1, `${what}, sent again`);
    }
    // The last SHARED_EVENT_FRAMES are kept: the events of a storage message, sent by one subscription after the other.
    const events = Array.from({ length: SHARED_EVENT_FRAMES }, (_, i) => [record(10 + i)]);
    const messages = events.map((records) => send(jsonCodec, records, 0, 1000));
    assert.deepEqual(events.map((records) => send(jsonCodec, records, 0, 1000)), messages);
    const before: number = framed;
    base();
    assert.equal(framed, before + 1, 'an event framed before the last SHARED_EVENT_FRAMES is framed again');
  });

  it('frames every event without records (idle events carry none)', () => {
    let framed = 0;
    const frame = () => Buffer.from(`message ${++framed}`);
    sharedEventFrame(jsonCodec, [], 0, 1000, frame);
    sharedEventFrame(jsonCodec, [], 0, 1000, frame);
    assert.equal(framed, 2);
  });
});

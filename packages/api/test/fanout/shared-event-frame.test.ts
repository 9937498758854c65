/** A framed event is reused only for the very same event: same records, codec, MillisBehindLatest and records still retained; bounded in bytes. */
import assert from 'node:assert/strict';
import type { RecordOut__Output } from '@shoal/wire';
import { SHARED_EVENT_BYTES_MAX, sharedEventFrame } from '../../src/fanout/shared-event-frame';
import type { Codec } from '../../src/protocol/codec';
import { cborCodec } from '../../src/protocol/cbor-codec';
import { jsonCodec } from '../../src/protocol/json-codec';

const record = (offset: number): RecordOut__Output => ({ offset: String(offset), arrival_ms: '1', partition_key: 'k', data: Buffer.alloc(4, offset) }) as never;

describe('sharedEventFrame', () => {
  it('frames an event once for the subscriptions that send it, whenever they send it, and again when any part of the key differs', () => {
    let framed = 0;
    const frame = () => Buffer.from(`message ${++framed}`);
    const [r0, r1, r2] = [record(0), record(1), record(2)];
    const r0Again = record(0);
    const send = (codec: Codec, records: RecordOut__Output[], behind: number, retained: number) => sharedEventFrame(codec, records, behind, retained, frame);
    const base = () => send(jsonCodec, [r0, r1], 0, 2);
    const first = base();
    assert.equal(base(), first);
    assert.equal(framed, 1);
    const variants: Record<string, () => Buffer> = {
      'another last record': () => send(jsonCodec, [r0, r2], 0, 2),
      'another first record object, equal in value': () => send(jsonCodec, [r0Again, r1], 0, 2),
      'another count, same ends': () => send(jsonCodec, [r0, r2, r1], 0, 3),
      'another MillisBehindLatest': () => send(jsonCodec, [r0, r1], 7, 2),
      'fewer records within the retention period': () => send(jsonCodec, [r0, r1], 0, 1),
      'another codec': () => send(cborCodec, [r0, r1], 0, 2),
    };
    for (const [what, variant] of Object.entries(variants)) {
      base();
      const before: number = framed;
      const message = variant();
      assert.equal(framed, before + 1, what);
      assert.equal(variant(), message, `${what}, sent again`);
      assert.equal(framed, before + 1, `${what}, sent again`);
    }
  });

  it('keeps at most SHARED_EVENT_BYTES_MAX bytes of messages, dropping the oldest first', () => {
    let framed = 0;
    const size = SHARED_EVENT_BYTES_MAX / 8;
    const frame = () => { framed++; return Buffer.alloc(size); };
    const events = Array.from({ length: 9 }, (_, i) => [record(100 + i)]);
    const send = (i: number) => sharedEventFrame(jsonCodec, events[i]!, 0, 1, frame);
    const messages = events.slice(0, 8).map((_, i) => send(i));
    assert.equal(framed, 8);
    assert.deepEqual(events.slice(0, 8).map((_, i) => send(i)), messages, 'eight messages fit');
    assert.equal(framed, 8);
    send(8);
    assert.equal(framed, 9);
    send(8);
    send(7);
    assert.equal(framed, 9, 'the newest are still kept');
    send(0);
    assert.equal(framed, 10, 'the oldest was dropped to make room');
  });

  it('frames every event without records (idle events carry none)', () => {
    let framed = 0;
    const frame = () => Buffer.from(`message ${++framed}`);
    sharedEventFrame(jsonCodec, [], 0, 0, frame);
    sharedEventFrame(jsonCodec, [], 0, 0, frame);
    assert.equal(framed, 2);
  });
});

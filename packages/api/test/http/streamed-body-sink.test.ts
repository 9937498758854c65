/**
 * The streamed-body sink keeps up to STREAMED_BODY_QUEUED_BYTES_MAX handed
 * to the HTTP layer ahead of the socket (Node's writable would ask to wait
 * past 16 KiB, after every event), tells the producer to wait past it and
 * to go on as soon as a completed write brings it below, and tells it once
 * when the exchange ended.
 */
import assert from 'node:assert/strict';
import { STREAMED_BODY_QUEUED_BYTES_MAX, streamedBodySink, type BodyWritable } from '../../src/http/streamed-body-sink';

/** A response whose writes complete only when the test says (the client's window is closed until then). */
class HeldWritable implements BodyWritable {
  readonly pending: Array<{ bytes: number; written: () => void }> = [];
  writableEnded = false;
  write(chunk: Buffer, written: () => void): boolean {
    this.pending.push({ bytes: chunk.length, written });
    return false;
  }
  end(): void { this.writableEnded = true; }
  /** The oldest write reached the socket. */
  complete(): void { this.pending.shift()!.written(); }
}

const EVENT_BYTES = 90 * 1024;

describe('streamed body sink', () => {
  it('queues up to 512 KiB of events ahead of the socket, then waits for a write to complete', () => {
    const out = new HeldWritable();
    const { sink } = streamedBodySink(out);
    let accepted = 0;
    while (sink.write(Buffer.alloc(EVENT_BYTES))) accepted++;
    const queued = out.pending.reduce((n, w) => n + w.bytes, 0);
    assert.equal(STREAMED_BODY_QUEUED_BYTES_MAX, 512 * 1024);
    assert.equal(accepted, Math.floor((STREAMED_BODY_QUEUED_BYTES_MAX - 1) / EVENT_BYTES), 'each write below the bound lets the producer go on');
    assert.ok(queued >= STREAMED_BODY_QUEUED_BYTES_MAX && queued < STREAMED_BODY_QUEUED_BYTES_MAX + EVENT_BYTES, `queued ${queued}`);
    let drained = 0;
    sink.onDrain(() => { drained++; });
    out.complete();
    assert.equal(drained, 1, 'one completed write below the bound lets it go on');
    out.complete();
    assert.equal(drained, 1, 'a listener is told once');
  });

  it('tells the producer once that the exchange ended, refuses writes after, and ends the response only while it is open', () => {
    const out = new HeldWritable();
    const { sink, gone } = streamedBodySink(out);
    let closes = 0;
    sink.onClose(() => { closes++; });
    sink.onDrain(() => assert.fail('no drain after the end'));
    assert.equal(sink.write(Buffer.alloc(1)), true);
    gone();
    gone();
    assert.equal(closes, 1);
    out.complete();
    assert.equal(sink.write(Buffer.alloc(1)), false);
    assert.equal(out.pending.length, 0, 'nothing handed to a finished exchange');
    let late = 0;
    sink.onClose(() => { late++; });
    assert.equal(late, 1, 'a listener added after the end hears at once');
    sink.end();
    assert.equal(out.writableEnded, false);
  });
});

/**
 * The last SubscribeToShardEvent messages framed, kept for the next
 * subscriptions that send the same events. A shard feed hands each storage
 * message to all its subscriptions in turn, in one synchronous pass
 * (shard-feed.ts), and subscriptions that stand at the same place (the
 * usual case: the consumers of a stream read its tail) then send the same
 * events: the same records, so the same continuations, and the same
 * MillisBehindLatest. The first frames each (JSON or CBOR, then the
 * event-stream prelude, headers and CRCs) and the others write its bytes.
 * A storage message (up to 256 KiB of records) makes up to 4 events of
 * 64 KiB for each subscription, one subscription after the other, so the
 * last SHARED_EVENT_FRAMES are kept.
 *
 * Records come from one feed as contiguous offsets, so the first and last
 * record objects and the count name the records; the request codec,
 * MillisBehindLatest and the clock's millisecond (which records are still
 * within retention is read off it) complete the key. Kept by count: at
 * most SHARED_EVENT_FRAMES messages (of about 95 KB in JSON) in all.
 */
import type { RecordOut__Output } from '@shoal/wire';
import type { Codec } from '../protocol/codec';

interface FramedEvent {
  readonly codec: Codec;
  readonly first: RecordOut__Output;
  readonly last: RecordOut__Output;
  readonly count: number;
  readonly millisBehind: number;
  readonly nowMs: number;
  readonly message: Buffer;
}

/** Messages kept: two storage messages' worth of 64 KiB events. */
export const SHARED_EVENT_FRAMES = 8;

/** The last messages framed, oldest first. */
const framed: FramedEvent[] = [];

/** The message of an event carrying `records` at `millisBehind`, framed at `nowMs`: one of the last framed when it is the same event, else `frame()`. */
export function sharedEventFrame(
  codec: Codec, records: readonly RecordOut__Output[], millisBehind: number, nowMs: number, frame: () => Buffer,
): Buffer {
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined) return frame();
  for (const f of framed) {
    if (f.last === last && f.first === first && f.count === records.length && f.codec === codec && f.millisBehind === millisBehind && f.nowMs === nowMs) {
      return f.message;
    }
  }
  const message = frame();
  if (framed.push({ codec, first, last, count: records.length, millisBehind, nowMs, message }) > SHARED_EVENT_FRAMES) framed.shift();
  return message;
}

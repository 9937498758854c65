/**
 * The SubscribeToShardEvent messages framed lately, kept for the next
 * subscriptions that send the same events. A shard feed hands each storage
 * message to all its subscriptions in turn (shard-feed.ts), and
 * subscriptions that stand at the same place (the usual case: the
 * consumers of a stream read its tail) then send the same events: the same
 * records, so the same continuations, and the same MillisBehindLatest. The
 * first frames each (JSON or CBOR, then the event-stream prelude, headers
 * and CRCs) and the others write its bytes, also when they send it later
 * (over HTTP/2 each subscription sends when its client's window opens).
 *
 * Records come from one feed as contiguous offsets, so the first and last
 * record objects and the count name the records. The rest of the key is
 * what else an event's bytes depend on: the codec, MillisBehindLatest and
 * how many of the records are still within the retention period (those
 * that arrived after one horizon, so their count names them). Kept
 * by the last record, newest last, at most SHARED_EVENT_BYTES_MAX bytes of
 * messages in all.
 */
import type { RecordOut__Output } from '@shoal/wire';
import type { Codec } from '../protocol/codec';

interface FramedEvent {
  readonly codec: Codec;
  readonly first: RecordOut__Output;
  readonly count: number;
  readonly millisBehind: number;
  readonly retained: number;
  readonly message: Buffer;
}

/** Bytes of framed messages kept: about 88 events of 64 KiB of records (95 KB in JSON), a second or two of what one api process sends under load. */
export const SHARED_EVENT_BYTES_MAX = 8 * 1024 * 1024;

/** The messages kept, by the event's last record, oldest first. */
const framed = new Map<RecordOut__Output, FramedEvent>();
let framedBytes = 0;

/**
 * The message of an event carrying `records` at `millisBehind`, `retained`
 * of them within the retention period: one framed lately when it is the
 * same event, else `frame()`.
 */
export function sharedEventFrame(
  codec: Codec, records: readonly RecordOut__Output[], millisBehind: number, retained: number, frame: () => Buffer,
): Buffer {
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined) return frame();
  const kept = framed.get(last);
  if (kept && kept.first === first && kept.count === records.length && kept.codec === codec && kept.millisBehind === millisBehind && kept.retained === retained) {
    return kept.message;
  }
  const message = frame();
  if (kept) forget(last, kept);
  framed.set(last, { codec, first, count: records.length, millisBehind, retained, message });
  framedBytes += message.length;
  for (const [key, old] of framed) {
    if (framedBytes <= SHARED_EVENT_BYTES_MAX) break;
    forget(key, old);
  }
  return message;
}

function forget(key: RecordOut__Output, event: FramedEvent): void {
  framed.delete(key);
  framedBytes -= event.message.length;
}

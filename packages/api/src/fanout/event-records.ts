/**
 * The records of SubscribeToShard events, each encoded once per codec. The
 * subscriptions that share a shard feed (shard-feed.ts) send the same
 * record objects, so the first to send a record encodes it (its sequence
 * number, the base64 of its data in JSON) and the others reuse those
 * bytes. An encoding lives as long as its record object (a WeakMap keyed
 * by it): no bound of its own beyond the feeds' and subscriptions'.
 * Whether a record is still within the retention period is asked every
 * time; codecs without preEncode encode each event whole.
 */
import type { RecordOut__Output } from '@shoal/wire';
import type { Codec } from '../protocol/codec';
import { clientRecords, type RecordPresenter } from '../streams/client-records';

const encodedByCodec = new WeakMap<Codec, WeakMap<RecordOut__Output, unknown>>();

/** The Records member of an event: the records the client is shown, encoded ahead where the codec can. */
export function eventRecords(codec: Codec, presenter: RecordPresenter, records: readonly RecordOut__Output[]): unknown[] {
  if (!codec.preEncode) return clientRecords(presenter, records);
  let encoded = encodedByCodec.get(codec);
  if (!encoded) encodedByCodec.set(codec, (encoded = new WeakMap()));
  const out: unknown[] = [];
  for (const r of records) {
    if (!presenter.retained(r)) continue;
    let value = encoded.get(r);
    if (value === undefined) {
      value = codec.preEncode(presenter.toClient(r)!);
      encoded.set(r, value);
    }
    out.push(value);
  }
  return out;
}

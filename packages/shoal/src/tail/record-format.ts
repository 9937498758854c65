/**
 * How `tail` prints a record, pure. Text: the data as one line (UTF-8).
 * JSON: the record's fields, the data in base64 (exact, as the Kinesis API
 * carries it) and, when the data is valid UTF-8, also as text.
 */
import type { TailRecord } from './shard-source';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface RecordJson {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp?: string;
  readonly data: string;
  readonly text?: string;
}

/** The data as text, or undefined when it is not valid UTF-8. */
export function utf8Text(data: Uint8Array): string | undefined {
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

export function recordJson(r: TailRecord): RecordJson {
  const text = utf8Text(r.data);
  return {
    shardId: r.shardId,
    sequenceNumber: r.sequenceNumber,
    partitionKey: r.partitionKey,
    ...(r.approximateArrivalTimestamp ? { approximateArrivalTimestamp: r.approximateArrivalTimestamp.toISOString() } : {}),
    data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
    ...(text !== undefined ? { text } : {}),
  };
}

/** The data as a line of text (invalid UTF-8 replaced by U+FFFD). */
export function recordText(r: TailRecord): string {
  return Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('utf8');
}

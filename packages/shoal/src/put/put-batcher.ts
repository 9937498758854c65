/**
 * From input lines to PutRecords batches, pure: a line becomes an entry
 * (its partition key chosen as the command line says), and entries are
 * grouped in input order into batches of at most `recordsMax` records and
 * `bytesMax` bytes (data + partition key, as Kinesis counts a record).
 */
import { limits } from '@shoal/core';
import type { KeyChoice } from '../command-line';

/** One record to put, with the input line it came from (1-based, counting every line). */
export interface PutEntry {
  readonly line: number;
  readonly partitionKey: string;
  readonly data: Buffer;
  /** data + UTF-8 partition key, in bytes. */
  readonly bytes: number;
  /** Bytes of input the line took (with its newline), for progress. */
  readonly inputBytes: number;
}

/** A line that cannot become a record (reported, not sent). */
export interface LineProblem {
  readonly line: number;
  readonly message: string;
  readonly inputBytes: number;
}

/**
 * The entry for a line, `undefined` for an empty line (skipped), or the
 * problem with it. `randomKey` is called once per record when keys are random.
 */
export function entryFromLine(text: Buffer, line: number, key: KeyChoice, randomKey: () => string, recordBytesMax: number): PutEntry | LineProblem | undefined {
  if (text.length === 0) return undefined;
  const inputBytes = text.length + 1;
  let partitionKey: string;
  let data: Buffer;
  switch (key.kind) {
    case 'fixed': partitionKey = key.key; data = text; break;
    case 'random': partitionKey = randomKey(); data = text; break;
    case 'per-line': {
      const at = text.indexOf(key.separator);
      if (at === -1) return { line, message: `no ${JSON.stringify(key.separator)} separating a partition key from the data`, inputBytes };
      partitionKey = text.subarray(0, at).toString('utf8');
      data = text.subarray(at + Buffer.byteLength(key.separator));
      break;
    }
  }
  if (partitionKey.length < limits.PARTITION_KEY_LENGTH_MIN || partitionKey.length > limits.PARTITION_KEY_LENGTH_MAX) {
    return { line, message: `the partition key must have ${limits.PARTITION_KEY_LENGTH_MIN} to ${limits.PARTITION_KEY_LENGTH_MAX} characters, it has ${partitionKey.length}`, inputBytes };
  }
  const bytes = data.length + Buffer.byteLength(partitionKey);
  if (bytes > recordBytesMax) return { line, message: `the record has ${bytes} bytes, more than ${recordBytesMax}`, inputBytes };
  return { line, partitionKey, data, bytes, inputBytes };
}

export function isProblem(value: PutEntry | LineProblem): value is LineProblem {
  return 'message' in value;
}

/** Groups entries into batches in input order. */
export class PutBatcher {
  private batch: PutEntry[] = [];
  private batchBytes = 0;

  constructor(private readonly recordsMax: number, private readonly bytesMax: number) {
    if (recordsMax < 1 || bytesMax < 1) throw new Error('PutBatcher needs room for a record');
  }

  get pendingRecords(): number { return this.batch.length; }

  /**
   * Adds an entry; returns the batches that are complete now (none, or the
   * batch the entry did not fit in, and/or the batch the entry filled). An
   * entry larger than `bytesMax` travels alone.
   */
  add(entry: PutEntry): PutEntry[][] {
    const out: PutEntry[][] = [];
    if (this.batch.length > 0 && this.batchBytes + entry.bytes > this.bytesMax) out.push(this.take());
    this.batch.push(entry);
    this.batchBytes += entry.bytes;
    if (this.batch.length >= this.recordsMax || this.batchBytes >= this.bytesMax) out.push(this.take());
    return out;
  }

  /** The partial batch, if any. */
  flush(): PutEntry[] | undefined {
    return this.batch.length > 0 ? this.take() : undefined;
  }

  private take(): PutEntry[] {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    return batch;
  }
}

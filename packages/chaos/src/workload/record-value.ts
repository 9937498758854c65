/**
 * The data of every record the workload writes, so a record read back can
 * be traced to the put that wrote it. Format (UTF-8 text):
 *
 *   chaos|<value>|<partition key>|<padding of RECORD_PAD_BYTES 'x'>
 *
 * where <value> is `<writer id>-<counter>`, unique in a run.
 */
import { createHash } from 'node:crypto';
import { RECORD_PAD_BYTES } from '../chaos-limits';

const MAGIC = 'chaos';
const PAD = 'x'.repeat(RECORD_PAD_BYTES);
const VALUE_PATTERN = /^[a-z]+\d+-\d+$/;

export function recordData(value: string, partitionKey: string): Buffer {
  return Buffer.from(`${MAGIC}|${value}|${partitionKey}|${PAD}`, 'utf8');
}

/** The value a record carries, or null when its data was not written by the workload. */
export function valueOf(data: Uint8Array): string | null {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  const [magic, value] = text.split('|', 2);
  return magic === MAGIC && value !== undefined && VALUE_PATTERN.test(value) ? value : null;
}

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * Reads of one replica through its ShardReader: committed records from an
 * offset (Read) and the translation of LATEST / TRIM_HORIZON / AT_TIMESTAMP
 * into an offset (Seek). Reads are read-only and run beside the driver
 * loop: they see only offsets below the high watermark, which are already
 * on disk and never change. Metered reads (GetRecords) must go to the
 * leader and count against the shard's read limits.
 */
import { limits, type BatchRecord } from '@shoal/core';
import type { ReadRequest__Output, ReadResponse, RecordOut, SeekRequest__Output, SeekResponse } from '@shoal/wire';
import type { ShardReader } from './shard-reader';
import { READ_BYTES_DEFAULT, READ_RECORDS_DEFAULT } from './storage-limits';

function readFailure(error: ReadResponse['error'], message: string): ReadResponse {
  return { error, error_message: message, records: [], high_watermark: 0, log_start_offset: 0, last_arrival_ms: 0 };
}

/** Committed records from `from_offset`, bounded by max_records / max_bytes (at least one). */
export async function readRecords(reader: ShardReader, req: ReadRequest__Output, nowMs: number): Promise<ReadResponse> {
  if (req.metered && reader.role() !== 'leader') return readFailure('NOT_LEADER', 'metered reads go to the shard leader');
  const hw = reader.highWatermark();
  const logStart = reader.logStartOffset();
  const limiter = req.metered ? reader.readLimiter() : undefined;
  if (limiter && !limiter.tryReadCall(nowMs)) {
    reader.noteRead('throttled');
    return readFailure('THROTTLED', 'read throughput of the shard exceeded');
  }
  if (req.from_offset < logStart) return readFailure('OUT_OF_RANGE', `offset ${req.from_offset} is before the log start ${logStart}`);
  const maxRecords = Math.min(req.max_records || READ_RECORDS_DEFAULT, limits.GET_RECORDS_LIMIT_MAX);
  const maxBytes = Math.min(req.max_bytes || READ_BYTES_DEFAULT, limits.GET_RECORDS_BYTES_MAX);
  const records: RecordOut[] = [];
  let bytes = 0;
  if (req.from_offset < hw) {
    const batches = await reader.batchesFrom(req.from_offset, hw, maxBytes);
    outer: for (const batch of batches) {
      for (const r of batch.records(req.from_offset)) {
        const size = r.data.length + Buffer.byteLength(r.partitionKey, 'utf8');
        if (r.offset >= hw || records.length >= maxRecords || (records.length > 0 && bytes + size > maxBytes)) break outer;
        records.push(toRecordOut(r));
        bytes += size;
      }
    }
  }
  if (limiter) {
    limiter.chargeRead(bytes, nowMs);
    reader.noteRead({ bytes, records: records.length });
  }
  return { error: 'OK', error_message: '', records, high_watermark: hw, log_start_offset: logStart, last_arrival_ms: await reader.arrivalAt(hw - 1) };
}

function toRecordOut(r: BatchRecord): RecordOut {
  return { offset: r.offset, arrival_ms: r.arrivalMs, partition_key: r.partitionKey, data: r.data };
}

/** LATEST -> hw, TRIM_HORIZON -> log start, AT_TIMESTAMP -> first offset arrived at or after ts (hw if none). */
export async function seek(reader: ShardReader, req: SeekRequest__Output): Promise<SeekResponse> {
  if (reader.role() !== 'leader') return { error: 'NOT_LEADER', error_message: 'seek on the shard leader', offset: 0 };
  const hw = reader.highWatermark();
  if (req.kind === 'SEEK_TRIM_HORIZON') return { error: 'OK', error_message: '', offset: reader.logStartOffset() };
  if (req.kind === 'SEEK_LATEST') return { error: 'OK', error_message: '', offset: hw };
  const offset = await reader.offsetAtTime(req.timestamp_ms);
  return { error: 'OK', error_message: '', offset: offset ?? hw };
}

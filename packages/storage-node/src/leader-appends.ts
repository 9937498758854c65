/**
 * One Append request at the shard leader, on its way into a group commit.
 * Its records are held as one checked record body (core record-batch.ts):
 * the api's `records_body` as received (a view into the gRPC message, no
 * copy, no per-record objects), or the legacy `records` list encoded into
 * one body once. Throttling cuts the body into runs of admitted records
 * that the group commit copies into its batch; the answer is compact
 * (first offset + throttled indexes) for a records_body request, else one
 * RecordResult per record.
 */
import { RECORD_BATCH_RECORD_OVERHEAD_BYTES, encodeRecordBody, scanRecordBody, type RecordBodySlice } from '@shoal/core';
import type { AppendRequest__Output, AppendResponse, RecordResult } from '@shoal/wire';

/** The records of one Append request. */
export interface AppendRecords {
  readonly body: Buffer;
  /** Record boundaries in `body`: record i is bytes starts[i] .. starts[i + 1]. */
  readonly starts: Uint32Array;
  readonly count: number;
  /** Kinesis bytes (partition keys + data, less the api's per-record overhead) of all records. */
  readonly bytes: number;
  /** Bytes of each record the api added (encryption envelope) that throughput limits do not count. */
  readonly overheadBytes: number;
  /** The request came as a records_body: answer with compact results. */
  readonly compact: boolean;
}

/** What a group commit decided for one request's records. */
export interface Admission {
  /** Offset of the request's first admitted record (admitted records are consecutive). */
  readonly firstOffset: number;
  readonly arrivalMs: number;
  /** 0-based request indexes of throttled records, ascending. */
  readonly throttled: readonly number[];
  readonly admitted: number;
  readonly admittedBytes: number;
}

const EMPTY = Buffer.alloc(0);

/** The request's records as a checked body, or why they are malformed. */
export function appendRecordsOf(
  req: Pick<AppendRequest__Output, 'records' | 'records_body' | 'record_count'> & { readonly record_overhead_bytes?: number },
): AppendRecords | string {
  const compact = req.record_count > 0;
  const overheadBytes = compact ? req.record_overhead_bytes ?? 0 : 0;
  if (!compact && req.records.length === 0) return { body: EMPTY, starts: new Uint32Array(1), count: 0, bytes: 0, overheadBytes, compact };
  let body: Buffer;
  try {
    body = compact ? req.records_body : encodeRecordBody(req.records.map((r) => ({ partitionKey: r.partition_key, data: r.data })));
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const count = compact ? req.record_count : req.records.length;
  const starts = scanRecordBody(body, count);
  if (typeof starts === 'string') return `malformed records: ${starts}`;
  const bytes = Math.max(0, body.length - count * (RECORD_BATCH_RECORD_OVERHEAD_BYTES + overheadBytes));
  return { body, starts, count, bytes, overheadBytes, compact };
}

/**
 * Throttles each record (`tryWrite(bytes)`; undefined = limits off) and
 * appends the runs of admitted records to `slices`, in order.
 */
export function admitRecords(
  recs: AppendRecords, firstOffset: number, arrivalMs: number, tryWrite: ((bytes: number) => boolean) | undefined, slices: RecordBodySlice[],
): Admission {
  if (!tryWrite) {
    if (recs.count > 0) slices.push({ body: recs.body, start: 0, end: recs.body.length, count: recs.count });
    return { firstOffset, arrivalMs, throttled: [], admitted: recs.count, admittedBytes: recs.bytes };
  }
  const throttled: number[] = [];
  let runStart = -1;
  let admittedBytes = 0;
  const cut = (from: number, to: number): void => {
    slices.push({ body: recs.body, start: recs.starts[from]!, end: recs.starts[to]!, count: to - from });
  };
  for (let i = 0; i < recs.count; i++) {
    const size = Math.max(0, recs.starts[i + 1]! - recs.starts[i]! - RECORD_BATCH_RECORD_OVERHEAD_BYTES - recs.overheadBytes);
    if (tryWrite(size)) {
      admittedBytes += size;
      if (runStart < 0) runStart = i;
      continue;
    }
    throttled.push(i);
    if (runStart >= 0) { cut(runStart, i); runStart = -1; }
  }
  if (runStart >= 0) cut(runStart, recs.count);
  return { firstOffset, arrivalMs, throttled, admitted: recs.count - throttled.length, admittedBytes };
}

/** The OK answer to a request whose admitted records are committed. */
export function okResponse(recs: AppendRecords, adm: Admission, epoch: number): AppendResponse {
  if (recs.compact) {
    return {
      error: 'OK', error_message: '', results: [], epoch, first_offset: adm.firstOffset, throttled_indexes: [...adm.throttled], result_count: recs.count,
      arrival_ms: adm.arrivalMs,
    };
  }
  const results = new Array<RecordResult>(recs.count);
  let t = 0;
  let offset = adm.firstOffset;
  for (let i = 0; i < recs.count; i++) {
    if (adm.throttled[t] === i) {
      t++;
      results[i] = { offset: 0, arrival_ms: 0, throttled: true };
    } else {
      results[i] = { offset: offset++, arrival_ms: adm.arrivalMs, throttled: false };
    }
  }
  return { error: 'OK', error_message: '', results, epoch };
}

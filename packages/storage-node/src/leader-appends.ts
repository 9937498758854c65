/**
 * One shard's records of an AppendShards call at the shard leader, on
 * their way into a group commit. They are held as one checked record body
 * (core record-batch.ts): the api's `records_body` as received (a view into
 * the gRPC message, no copy, no per-record objects). Throttling cuts the
 * body into runs of admitted records that the group commit copies into its
 * batch; the answer is compact (first offset + throttled indexes).
 */
import { RECORD_BATCH_RECORD_OVERHEAD_BYTES, scanRecordBody, type RecordBodySlice } from '@shoal/core';
import type { ShardAppendResult, ShardRecords__Output } from '@shoal/wire';
import type { NodeMetrics, ShardLabels } from './node-metrics';

/** The records of one shard of a request. */
export interface AppendRecords {
  readonly body: Buffer;
  /** Record boundaries in `body`: record i is bytes starts[i] .. starts[i + 1]. */
  readonly starts: Uint32Array;
  readonly count: number;
  /** Kinesis bytes (partition keys + data, less the api's per-record overhead) of all records. */
  readonly bytes: number;
  /** Bytes of each record the api added (encryption envelope) that throughput limits do not count. */
  readonly overheadBytes: number;
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

/** The shard's records as a checked body, or why they are malformed. */
export function appendRecordsOf(
  req: Pick<ShardRecords__Output, 'records_body' | 'record_count'> & { readonly record_overhead_bytes?: number },
): AppendRecords | string {
  const count = req.record_count;
  const starts = scanRecordBody(req.records_body, count);
  if (typeof starts === 'string') return `malformed records: ${starts}`;
  const overheadBytes = req.record_overhead_bytes ?? 0;
  const bytes = Math.max(0, req.records_body.length - count * (RECORD_BATCH_RECORD_OVERHEAD_BYTES + overheadBytes));
  return { body: req.records_body, starts, count, bytes, overheadBytes };
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

/** The OK answer for records that are committed. */
export function okResult(recs: AppendRecords, adm: Admission, epoch: number): ShardAppendResult {
  return { error: 'OK', error_message: '', epoch, first_offset: adm.firstOffset, throttled_indexes: [...adm.throttled], result_count: recs.count, arrival_ms: adm.arrivalMs };
}

/** How many of the queued requests (at least one) one group commit takes, within the byte and record bounds. */
export function groupCommitSize(queued: ReadonlyArray<{ readonly recs: AppendRecords }>, bytesMax: number, recordsMax: number): number {
  let records = 0;
  let bytes = 0;
  let n = 0;
  while (n < queued.length) {
    const recs = queued[n]!.recs;
    if (n > 0 && (records + recs.count > recordsMax || bytes + recs.bytes > bytesMax)) break;
    records += recs.count;
    bytes += recs.bytes;
    n++;
  }
  return n;
}

/**
 * Throttles each record of the taken requests; the admitted ones go into
 * `slices` in order, at consecutive offsets from `firstOffset`, all with
 * one arrival time. Metrics count per request, not per record.
 */
export function admitRequests(
  requests: readonly AppendRecords[], firstOffset: number, arrivalMs: number, tryWrite: ((bytes: number) => boolean) | undefined,
  slices: RecordBodySlice[], metrics: NodeMetrics, labels: ShardLabels,
): Admission[] {
  let next = firstOffset;
  return requests.map((recs) => {
    const a = admitRecords(recs, next, arrivalMs, tryWrite, slices);
    next += a.admitted;
    if (a.admitted > 0) {
      metrics.incomingBytes.inc(labels, a.admittedBytes);
      metrics.incomingRecords.inc(labels, a.admitted);
    }
    if (a.throttled.length > 0) metrics.writeExceeded.inc(labels, a.throttled.length);
    return a;
  });
}

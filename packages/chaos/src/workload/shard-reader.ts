/**
 * Reading one shard as one session: GetShardIterator (TRIM_HORIZON, or
 * AFTER_SEQUENCE_NUMBER of the last record after an error), then GetRecords
 * until the shard's end (no NextShardIterator), the caller's stop, or for
 * the final read FINAL_READ_EMPTY_PAGES empty pages at the tail. Every
 * GetRecords call is logged to reads.jsonl.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { FINAL_READ_CALLS_MAX, FINAL_READ_EMPTY_PAGES, READ_IDLE_MS, READ_LIMIT_RECORDS } from '../chaos-limits';
import type { ReadRecord } from '../history/history-format';
import { errorName } from './outcome';
import { md5Hex, valueOf } from './record-value';
import type { WorkloadContext } from './workload-context';

export interface SessionOptions {
  readonly reader: string;
  readonly session: string;
  readonly api: number;
  readonly shardId: string;
  readonly final: boolean;
  /** Stop reading (e.g. the workload ended, or the final read's deadline passed). */
  readonly until: () => boolean;
}

export interface SessionResult {
  /** True when the session reached the end of the shard. */
  readonly complete: boolean;
  readonly records: number;
  readonly childShards: readonly string[];
}

async function iteratorFor(ctx: WorkloadContext, o: SessionOptions, after: string | null): Promise<string | undefined> {
  const res = await ctx.clients[o.api]!.send(new GetShardIteratorCommand(after === null
    ? { StreamName: ctx.streamName, ShardId: o.shardId, ShardIteratorType: 'TRIM_HORIZON' }
    : { StreamName: ctx.streamName, ShardId: o.shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }));
  return res.ShardIterator;
}

export async function readSession(ctx: WorkloadContext, o: SessionOptions): Promise<SessionResult> {
  let after: string | null = null;
  let iterator: string | undefined;
  let records = 0;
  let emptyTail = 0;
  const base = { type: 'read', reader: o.reader, session: o.session, shardId: o.shardId, ...(o.final ? { final: true } : {}) } as const;
  let api = o.api;
  for (let calls = 0; !o.until() && (!o.final || calls < FINAL_READ_CALLS_MAX); calls++) {
    const startMs = ctx.now();
    try {
      iterator ??= await iteratorFor(ctx, o, after);
      api = ctx.crossApiReads ? (o.api + calls + 1) % ctx.clients.length : o.api;
      const res = await ctx.clients[api]!.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: READ_LIMIT_RECORDS }));
      const page: ReadRecord[] = (res.Records ?? []).map((r) => {
        const data = r.Data ?? new Uint8Array();
        const arrivalMs = r.ApproximateArrivalTimestamp?.getTime();
        return { seq: r.SequenceNumber!, partitionKey: r.PartitionKey!, value: valueOf(data), md5: md5Hex(data), ...(arrivalMs !== undefined ? { arrivalMs } : {}) };
      });
      const childShards = (res.ChildShards ?? []).map((c) => c.ShardId!);
      ctx.history.read({ ...base, api, after, startMs, endMs: ctx.now(), outcome: 'ok', records: page, hasNext: res.NextShardIterator !== undefined, ...(childShards.length ? { childShards } : {}) });
      records += page.length;
      if (page.length > 0) after = page[page.length - 1]!.seq;
      if (res.NextShardIterator === undefined) return { complete: true, records, childShards };
      iterator = res.NextShardIterator;
      emptyTail = page.length === 0 && (res.MillisBehindLatest ?? 0) === 0 ? emptyTail + 1 : 0;
      if (o.final && emptyTail >= FINAL_READ_EMPTY_PAGES) return { complete: true, records, childShards: [] };
      if (page.length === 0) await sleep(READ_IDLE_MS);
    } catch (err) {
      ctx.history.read({ ...base, api, after, startMs, endMs: ctx.now(), outcome: 'fail', error: errorName(err), records: [], hasNext: true });
      iterator = undefined; // a fresh iterator after the last record read (the session continues)
      await sleep(READ_IDLE_MS);
    }
  }
  return { complete: false, records, childShards: [] };
}

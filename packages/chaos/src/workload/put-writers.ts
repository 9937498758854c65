/**
 * The writers. A sequential writer owns a few partition keys and puts one
 * value at a time with PutRecord (so per-key order is defined: a value is
 * acknowledged before the next begins). A batch writer sends PutRecords
 * batches of values with keys of their own. Both retry by themselves (the
 * SDK does not), up to PUT_ATTEMPTS_MAX attempts per value, and log every
 * attempt to ops.jsonl with its outcome.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PutRecordCommand, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { BATCH_RECORDS_MAX, PUT_ATTEMPTS_MAX, PUT_RETRY_BACKOFF_MS, PUT_RETRY_BACKOFF_MS_MAX } from '../chaos-limits';
import type { PutAttempt } from '../history/history-format';
import { errorName, outcomeOf, retriable } from './outcome';
import { md5Hex, recordData } from './record-value';
import type { SeededRandom } from './seeded-random';
import type { WorkloadContext } from './workload-context';

function backoffMs(attempt: number): number {
  return Math.min(PUT_RETRY_BACKOFF_MS_MAX, PUT_RETRY_BACKOFF_MS * 2 ** (attempt - 1));
}

interface PendingValue { readonly value: string; readonly partitionKey: string; readonly data: Buffer; readonly md5: string }

function pending(value: string, partitionKey: string): PendingValue {
  const data = recordData(value, partitionKey);
  return { value, partitionKey, data, md5: md5Hex(data) };
}

export async function runSequentialWriter(ctx: WorkloadContext, writer: string, keys: readonly string[], random: SeededRandom, pauseMs: number): Promise<void> {
  for (let counter = 0; !ctx.stopped(); counter++) {
    const p = pending(`${writer}-${counter}`, random.pick(keys));
    for (let attempt = 1; attempt <= PUT_ATTEMPTS_MAX; attempt++) {
      const api = random.int(ctx.clients.length);
      const base = { type: 'put', writer, value: p.value, attempt, partitionKey: p.partitionKey, md5: p.md5, api } as const;
      const startMs = ctx.now();
      try {
        const res = await ctx.clients[api]!.send(new PutRecordCommand({ StreamName: ctx.streamName, PartitionKey: p.partitionKey, Data: p.data }));
        ctx.history.put({ ...base, startMs, endMs: ctx.now(), outcome: 'ok', shardId: res.ShardId!, seq: res.SequenceNumber! });
        break;
      } catch (err) {
        const error = errorName(err);
        ctx.history.put({ ...base, startMs, endMs: ctx.now(), outcome: outcomeOf(error), error });
        if (!retriable(error) || ctx.stopped()) break;
        await sleep(backoffMs(attempt));
      }
    }
    await sleep(pauseMs);
  }
}

/** Logs the outcome of each entry of one PutRecords attempt; returns the entries to retry. */
function logBatch(ctx: WorkloadContext, base: Omit<PutAttempt, 'value' | 'partitionKey' | 'md5' | 'endMs' | 'outcome'>, entries: readonly PendingValue[],
  results: readonly PutRecordsResultEntry[] | undefined, requestError: string | undefined): PendingValue[] {
  const endMs = ctx.now();
  const retry: PendingValue[] = [];
  entries.forEach((p, i) => {
    const line = { ...base, value: p.value, partitionKey: p.partitionKey, md5: p.md5, endMs };
    const r = results?.[i];
    if (requestError === undefined && r?.SequenceNumber !== undefined && r.ShardId !== undefined) {
      ctx.history.put({ ...line, outcome: 'ok', shardId: r.ShardId, seq: r.SequenceNumber });
      return;
    }
    const error = requestError ?? r?.ErrorCode ?? 'MissingResult';
    ctx.history.put({ ...line, outcome: outcomeOf(error), error });
    if (retriable(error)) retry.push(p);
  });
  return retry;
}

export async function runBatchWriter(ctx: WorkloadContext, writer: string, random: SeededRandom, pauseMs: number): Promise<void> {
  let counter = 0;
  for (let batchNo = 0; !ctx.stopped(); batchNo++) {
    let entries: PendingValue[] = [];
    for (let i = 0; i < BATCH_RECORDS_MAX; i++, counter++) entries.push(pending(`${writer}-${counter}`, `${writer}-key-${counter}`));
    for (let attempt = 1; attempt <= PUT_ATTEMPTS_MAX && entries.length > 0; attempt++) {
      const api = random.int(ctx.clients.length);
      const base = { type: 'put', writer, attempt, api, batch: `${writer}-${batchNo}-${attempt}`, startMs: ctx.now() } as const;
      let results: PutRecordsResultEntry[] | undefined;
      let requestError: string | undefined;
      try {
        const res = await ctx.clients[api]!.send(new PutRecordsCommand({
          StreamName: ctx.streamName, Records: entries.map((p) => ({ PartitionKey: p.partitionKey, Data: p.data })),
        }));
        results = res.Records;
      } catch (err) {
        requestError = errorName(err);
      }
      entries = logBatch(ctx, base, entries, results, requestError);
      if (entries.length > 0 && !ctx.stopped()) await sleep(backoffMs(attempt));
      if (ctx.stopped()) break;
    }
    await sleep(pauseMs);
  }
}

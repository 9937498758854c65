/**
 * Sends one batch with PutRecords until every record is acknowledged or
 * has failed PUT_RECORD_ATTEMPTS_MAX times: the records PutRecords reports
 * as failed (throttled, internal failure) are sent again, alone, after a
 * doubling backoff; a request refused as a whole for a reason that may
 * pass (throttling, a restarting server) is sent again the same way. Other
 * errors (no such stream, a record too large) fail the command. Batches go
 * one at a time, so records of one key keep their input order unless one
 * of them had to be retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { isRetriable } from '../aws-errors';
import { PUT_RECORD_ATTEMPTS_MAX, PUT_RETRY_BACKOFF_FIRST_MS, PUT_RETRY_BACKOFF_MAX_MS } from '../cli-limits';
import { streamTarget } from '../kinesis-listing';
import type { PutEntry } from './put-batcher';
import { retryBackoffMs, splitPutResults, type PutAck, type PutFailure } from './put-results';

export interface BatchReport {
  /** Called once per acknowledged record, in batch order within each answer. */
  acked(ack: PutAck): Promise<void>;
  /** Called once per record given up on. */
  failed(failure: PutFailure): Promise<void>;
  /** Records sent again. */
  retried(count: number): void;
}

export class PutSender {
  constructor(private readonly client: KinesisClient, private readonly stream: string) {}

  async send(batch: readonly PutEntry[], report: BatchReport): Promise<void> {
    let pending: readonly PutEntry[] = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        report.retried(pending.length);
        await sleep(retryBackoffMs(attempt - 1, PUT_RETRY_BACKOFF_FIRST_MS, PUT_RETRY_BACKOFF_MAX_MS));
      }
      let res: PutRecordsCommandOutput;
      try {
        res = await this.client.send(new PutRecordsCommand({
          ...streamTarget(this.stream),
          Records: pending.map((e) => ({ PartitionKey: e.partitionKey, Data: e.data })),
        }));
      } catch (err) {
        if (attempt < PUT_RECORD_ATTEMPTS_MAX && isRetriable(err)) continue;
        throw err;
      }
      const { acked, failed } = splitPutResults(pending, res.Records ?? []);
      for (const ack of acked) await report.acked(ack);
      if (attempt >= PUT_RECORD_ATTEMPTS_MAX) {
        for (const failure of failed) await report.failed(failure);
        return;
      }
      pending = failed.map((f) => f.entry);
    }
  }
}

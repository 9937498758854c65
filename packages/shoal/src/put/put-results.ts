/**
 * What one PutRecords answer means for the records of its batch, pure: the
 * acknowledged records (shard and sequence number) and the failed ones
 * (error code and message), in batch order; and the backoff before the
 * failed ones are sent again.
 */
import type { PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import type { PutEntry } from './put-batcher';

export interface PutAck {
  readonly entry: PutEntry;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export interface PutFailure {
  readonly entry: PutEntry;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Splits a PutRecords answer by record; a result count other than the batch's is a broken server (thrown). */
export function splitPutResults(batch: readonly PutEntry[], results: readonly PutRecordsResultEntry[]): { acked: PutAck[]; failed: PutFailure[] } {
  if (results.length !== batch.length) throw new Error(`PutRecords answered ${results.length} results for ${batch.length} records`);
  const acked: PutAck[] = [];
  const failed: PutFailure[] = [];
  results.forEach((r, i) => {
    const entry = batch[i]!;
    if (r.ErrorCode === undefined && r.SequenceNumber !== undefined && r.ShardId !== undefined) acked.push({ entry, shardId: r.ShardId, sequenceNumber: r.SequenceNumber });
    else failed.push({ entry, errorCode: r.ErrorCode ?? 'MissingSequenceNumber', errorMessage: r.ErrorMessage ?? '' });
  });
  return { acked, failed };
}

/** Backoff before retry round `round` (1-based): doubling from `firstMs`, at most `maxMs`. */
export function retryBackoffMs(round: number, firstMs: number, maxMs: number): number {
  if (round < 1) return 0;
  const shift = Math.min(round - 1, 30);
  return Math.min(maxMs, firstMs * 2 ** shift);
}

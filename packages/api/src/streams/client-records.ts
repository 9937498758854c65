/**
 * How a shard's stored records reach clients, the same way on every path
 * that hands them out (GetRecords, SubscribeToShard): numbered with the
 * shard's sequence numbers (sequence-numbers.ts), sealed records of an
 * encrypted stream opened (encryption/record-crypto.ts), records past the
 * stream's retention left out, and an empty stored partition key (AUTO
 * record distribution) left out of the answer.
 */
import { positionSequenceNumber } from '@shoal/core';
import { retentionHorizonMs, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import type { RecordOut__Output } from '@shoal/wire';
import type { RecordCrypto } from '../encryption/record-crypto';
import type { OperationOutput } from '../operation';
import { recordSequenceNumber, shardCreatedSecs } from './sequence-numbers';

export interface RecordPresenter {
  /** The sequence number of the record at `offset` that arrived at `arrivalMs`. */
  sequenceNumber(offset: number, arrivalMs: number): string;
  /** The position number of the gap just before `offset` (core sequence-number.ts). */
  positionNumber(offset: number): string;
  /** Whether a stored record is within the retention period (shown to clients). */
  retained(r: RecordOut__Output): boolean;
  /** Kinesis' Record structure of a stored record; undefined when it is past the retention period. */
  toClient(r: RecordOut__Output): OperationOutput | undefined;
}

/** The presenter of one shard's records at `nowMs` (retention and data keys as the stream record says now). */
export function recordPresenter(crypto: RecordCrypto, stream: StreamRecord, shard: ShardRecord, nowMs: number): RecordPresenter {
  const horizonMs = retentionHorizonMs(stream, nowMs);
  const open = crypto.openerFor(stream);
  const createdSecs = shardCreatedSecs(shard);
  const sequenceNumber = (offset: number, arrivalMs: number): string => recordSequenceNumber(shard, createdSecs, offset, arrivalMs);
  const retained = (r: RecordOut__Output): boolean => r.arrival_ms >= horizonMs;
  return {
    sequenceNumber,
    positionNumber: (offset) => positionSequenceNumber(createdSecs, shard.shardIndex, BigInt(offset)),
    retained,
    toClient(r) {
      if (!retained(r)) return undefined;
      const sealed = open !== undefined && r.partition_key === '' ? open(r.data) : undefined;
      const partitionKey = sealed ? sealed.partitionKey : r.partition_key === '' ? undefined : r.partition_key;
      return {
        SequenceNumber: sequenceNumber(r.offset, r.arrival_ms),
        ApproximateArrivalTimestamp: new Date(r.arrival_ms),
        Data: sealed ? sealed.data : r.data,
        PartitionKey: partitionKey,
        EncryptionType: sealed ? 'KMS' : undefined,
      };
    },
  };
}

/** The client's records of a read, in order, expired ones left out. */
export function clientRecords(presenter: RecordPresenter, records: readonly RecordOut__Output[]): OperationOutput[] {
  const out: OperationOutput[] = [];
  for (const r of records) {
    const record = presenter.toClient(r);
    if (record) out.push(record);
  }
  return out;
}

/**
 * The sequence numbers of a shard's records (core sequence-number.ts): the
 * shard's creation second comes from its StartingSequenceNumber, the
 * offset and arrival time from the storage node. Every path that hands a
 * record's number to a client (PutRecord(s), GetRecords, SubscribeToShard)
 * numbers it here, so the same record always gets the same number.
 */
import { decodeSequenceNumber, encodeSequenceNumber, sequenceNumberCounter } from '@shoal/core';
import type { ShardRecord } from '@shoal/metadata';

const MS_PER_SEC = 1000;

/** Each shard record's creation second, read once (a PutRecords over 128 shards needs it 128 times). */
const createdSecsOf = new WeakMap<ShardRecord, number>();

/** The creation second in the shard's numbers (its StartingSequenceNumber's; its createdMs for a number of another layout). */
export function shardCreatedSecs(shard: ShardRecord): number {
  let secs = createdSecsOf.get(shard);
  if (secs === undefined) {
    secs = decodeSequenceNumber(shard.startingSequenceNumber)?.shardCreatedSecs ?? Math.floor(shard.createdMs / MS_PER_SEC);
    createdSecsOf.set(shard, secs);
  }
  return secs;
}

/** The number of the record at `offset` of `shard` that arrived at `arrivalMs`. */
export function recordSequenceNumber(shard: ShardRecord, createdSecs: number, offset: number, arrivalMs: number): string {
  return encodeSequenceNumber({ shardCreatedSecs: createdSecs, shardIndex: shard.shardIndex, offset: BigInt(offset), arrivalSecs: Math.floor(arrivalMs / MS_PER_SEC) });
}

/** Numbers of consecutive offsets from `firstOffset`, all arrived at `arrivalMs` (one Append's records). */
export function appendSequenceNumbers(shard: ShardRecord, firstOffset: number, arrivalMs: number): () => string {
  return sequenceNumberCounter({
    shardCreatedSecs: shardCreatedSecs(shard), shardIndex: shard.shardIndex, offset: BigInt(firstOffset), arrivalSecs: Math.floor(arrivalMs / MS_PER_SEC),
  });
}

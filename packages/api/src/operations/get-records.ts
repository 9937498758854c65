/**
 * GetRecords: committed records from the iterator's position (at most
 * Limit records and GET_RECORDS_BYTES_MAX bytes), a NextShardIterator,
 * MillisBehindLatest, and at the end of a closed shard its ChildShards and
 * no next iterator.
 *
 * Retention: a position before the log start (trimmed by the storage
 * nodes) reads from the log start, the oldest record kept, as a
 * TRIM_HORIZON iterator does; records older than the retention horizon
 * (retention.ts) are never returned, trimmed or not, so a reader below the
 * horizon moves through them and gets empty pages until it reaches
 * retained data, MillisBehindLatest telling how old the data there is.
 *
 * Records sealed for encryption at rest are opened here (record-crypto.ts)
 * and carry EncryptionType KMS; records written without a partition key
 * (AUTO distribution) come back without PartitionKey.
 */
import {
  GET_RECORDS, KinesisError, decodeSequenceNumber, decodeShardIterator, encodeShardIterator,
  limits, shardRateExceededMessage, type GetRecordsInput, type ShardIteratorPayload,
} from '@shoal/core';
import { isClosedShard, isSealed, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import type { ReadResponse__Output } from '@shoal/wire';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { callShardLeader, storageFailure } from '../storage/read-from-leader';
import { readableShard, visibleStreamById } from '../streams/resolve-stream';
import { clientRecords, recordPresenter } from '../streams/client-records';
import { shardDescription } from '../streams/shard-description';
import { invalidShardIterator, shardDoesNotExist } from '../kinesis-errors';

/** "Thu Jan 22 01:22:02 UTC 2015", as Kinesis prints times in ExpiredIteratorException. */
function amzUtc(ms: number): string {
  const m = /^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(new Date(ms).toUTCString());
  return m ? `${m[1]} ${m[3]} ${m[2]} ${m[5]} UTC ${m[4]}` : new Date(ms).toISOString();
}

function checkIterator(ctx: OperationContext, input: GetRecordsInput): ShardIteratorPayload {
  const decoded = decodeShardIterator(input.ShardIterator, ctx.iteratorKey);
  if (!decoded.ok) throw invalidShardIterator();
  const it = decoded.payload;
  const now = ctx.now();
  if (now - it.issuedMs > limits.ITERATOR_TTL_MS) {
    throw new KinesisError('ExpiredIteratorException',
      `Iterator expired. The iterator was created at time ${amzUtc(it.issuedMs)} while right now it is ${amzUtc(now)} ` +
      `which is further in the future than the tolerated delay of ${limits.ITERATOR_TTL_MS} milliseconds.`);
  }
  return it;
}

function locate(ctx: OperationContext, it: ShardIteratorPayload, streamArn: string | undefined): { stream: StreamRecord; shard: ShardRecord } {
  const notFound = shardDoesNotExist(it.shardId, it.streamName, ctx.caller.accountId);
  // The iterator names the stream by its id; it reads the caller's streams, and others' where their resource policy allows.
  const stream = visibleStreamById(ctx, it.streamId);
  if (!stream || (stream.status !== 'ACTIVE' && stream.status !== 'UPDATING')) throw notFound;
  if (streamArn !== undefined && streamArn !== stream.streamArn) throw invalidShardIterator();
  // A shard that expired after the iterator was issued (closed a retention period ago) is gone, as for GetShardIterator.
  const shard = readableShard(ctx, stream, it.shardId);
  if (!shard) throw notFound;
  return { stream, shard };
}

async function read(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, fromOffset: number, maxRecords: number): Promise<ReadResponse__Output> {
  const notFound = (): KinesisError => shardDoesNotExist(shard.shardId, stream.streamName, ctx.caller.accountId);
  const call = (offset: number): Promise<ReadResponse__Output> => callShardLeader(ctx, stream.streamId, shard.shardId, notFound, (current) => ctx.storage.read(current.leader, {
    shard: { stream_id: stream.streamId, shard_id: shard.shardId }, from_offset: offset, max_records: maxRecords, max_bytes: limits.GET_RECORDS_BYTES_MAX, metered: true,
  }));
  let response = await call(fromOffset);
  if (response.error === 'OUT_OF_RANGE' && response.log_start_offset > fromOffset) response = await call(response.log_start_offset);
  if (response.error === 'THROTTLED') {
    ctx.metrics.recordReadThrottled(stream, shard.shardId);
    throw new KinesisError('ProvisionedThroughputExceededException', shardRateExceededMessage(shard.shardId, stream.streamName, ctx.caller.accountId));
  }
  if (response.error !== 'OK') throw storageFailure(response.error);
  return response;
}

async function execute(ctx: OperationContext, input: GetRecordsInput): Promise<OperationOutput> {
  const it = checkIterator(ctx, input);
  const { stream, shard } = locate(ctx, it, input.StreamARN);
  ctx.request.meter?.record(stream);
  const response = await read(ctx, stream, shard, it.offset, input.Limit ?? limits.GET_RECORDS_LIMIT_MAX);
  const records = clientRecords(recordPresenter(ctx.crypto, stream, shard, ctx.now()), response.records);
  let bytes = 0;
  for (const r of records) bytes += (r['Data'] as Buffer).length;
  const last = response.records[response.records.length - 1];
  const nextOffset = last ? last.offset + 1 : Math.max(it.offset, response.log_start_offset);
  const now = ctx.now();
  const behind = nextOffset >= response.high_watermark ? 0 : Math.max(0, now - (last?.arrival_ms ?? now));
  ctx.metrics.recordRead(stream, shard.shardId, { records: records.length, bytes }, last ? Math.max(0, now - last.arrival_ms) : undefined);
  const ending = isClosedShard(shard) ? decodeSequenceNumber(shard.endingSequenceNumber) : undefined;
  // sealedLogEnd (resharding) is the exact end, also for a parent that holds no record at all.
  const atEnd = isSealed(shard) ? nextOffset >= shard.sealedLogEnd : ending !== undefined && BigInt(nextOffset) > ending.offset;
  if (ending && atEnd) {
    const children = ctx.view.shardsOf(stream.streamId).map((s) => s.value)
      .filter((s) => s.parentShardId === shard.shardId || s.adjacentParentShardId === shard.shardId);
    return {
      Records: records, MillisBehindLatest: 0,
      ChildShards: children.map((c) => ({ ShardId: c.shardId, ParentShards: [c.parentShardId, c.adjacentParentShardId].filter((p) => p !== undefined), HashKeyRange: shardDescription(c)['HashKeyRange'] })),
    };
  }
  const next = encodeShardIterator({ streamName: stream.streamName, streamId: stream.streamId, shardId: shard.shardId, offset: nextOffset, issuedMs: now }, ctx.iteratorKey);
  return { Records: records, NextShardIterator: next, MillisBehindLatest: behind };
}

export const getRecords = defineOperation<GetRecordsInput>({ name: 'GetRecords', shape: GET_RECORDS, controlPlane: false, execute });

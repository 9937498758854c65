/**
 * GetShardIterator: a signed, self-contained iterator (core's
 * shard-iterator) at the position the type names. TRIM_HORIZON is offset 0,
 * which GetRecords reads from the oldest retained record (the log start
 * when the storage nodes have trimmed, see get-records.ts); so does an
 * AT_/AFTER_SEQUENCE_NUMBER position below it (Kinesis hands out such an
 * iterator and its reads resume at the trim horizon). LATEST and
 * AT_TIMESTAMP ask the leader (Seek); sequence numbers decode to offsets,
 * with Kinesis' answers to numbers of another shard, another stream or
 * another layout.
 */
import { GET_SHARD_ITERATOR, KinesisError, encodeShardIterator, normaliseShardId, type GetShardIteratorInput } from '@shoal/core';
import type { ShardRecord, StreamRecord } from '@shoal/metadata';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { readableShard, targetStreamRef } from '../streams/resolve-stream';
import { offsetOfSequenceNumber, seekOffset } from '../streams/start-offset';
import { shardDoesNotExist, shardNotFound, timestampInFuture } from '../kinesis-errors';

function typeMismatch(type: string, withNumber: boolean): KinesisError {
  return new KinesisError('InvalidArgumentException',
    'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. ' +
    `Request specified ${type} and ${withNumber ? 'also a' : 'no'} StartingSequenceNumber.`);
}

async function startOffset(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, input: GetShardIteratorInput): Promise<number> {
  const type = input.ShardIteratorType;
  const number = input.StartingSequenceNumber;
  switch (type) {
    case 'TRIM_HORIZON':
    case 'LATEST':
      if (number !== undefined) throw typeMismatch(type, true);
      return type === 'TRIM_HORIZON' ? 0 : seekOffset(ctx, stream, shard, 'SEEK_LATEST', 0);
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      if (number === undefined) throw typeMismatch(type, false);
      return offsetOfSequenceNumber(ctx, stream, shard, number, type === 'AFTER_SEQUENCE_NUMBER', 'GetShardIterator');
    }
    case 'AT_TIMESTAMP': {
      const at = input.Timestamp;
      if (at === undefined) {
        throw new KinesisError('InvalidArgumentException', 'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.');
      }
      const now = ctx.now();
      if (at > now) {
        throw timestampInFuture(at, now);
      }
      return seekOffset(ctx, stream, shard, 'SEEK_AT_TIMESTAMP', Math.max(0, at));
    }
  }
}

/**
 * The stream and shard the request names. The shard id is normalised as
 * Kinesis does; like Kinesis, a missing (or not yet / no longer readable)
 * stream answers that the shard does not exist.
 */
function targetShard(ctx: OperationContext, input: GetShardIteratorInput): { stream: StreamRecord; shard: ShardRecord } {
  const ref = targetStreamRef(ctx, input);
  const name = ref.streamName;
  const shardId = normaliseShardId(input.ShardId);
  if (shardId === undefined) {
    throw shardNotFound(input.ShardId, name, ctx.caller.accountId);
  }
  const stream = ctx.view.stream(ref)?.value;
  const readable = stream !== undefined && (stream.status === 'ACTIVE' || stream.status === 'UPDATING') &&
    (input.StreamARN === undefined || stream.streamArn === input.StreamARN);
  const shard = readable ? readableShard(ctx, stream, shardId) : undefined;
  if (!stream || !shard) throw shardDoesNotExist(shardId, name, ctx.caller.accountId);
  return { stream, shard };
}

async function execute(ctx: OperationContext, input: GetShardIteratorInput): Promise<OperationOutput> {
  const { stream, shard } = targetShard(ctx, input);
  const offset = await startOffset(ctx, stream, shard, input);
  const iterator = encodeShardIterator({ streamName: stream.streamName, streamId: stream.streamId, shardId: shard.shardId, offset, issuedMs: ctx.now() }, ctx.iteratorKey);
  return { ShardIterator: iterator };
}

export const getShardIterator = defineOperation<GetShardIteratorInput>({ name: 'GetShardIterator', shape: GET_SHARD_ITERATOR, controlPlane: false, execute });

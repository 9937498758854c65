/**
 * SubscribeToShard's StartingPosition as an offset of the shard's log:
 * TRIM_HORIZON is offset 0 (the node starts at its log start), LATEST and
 * AT_TIMESTAMP ask the leader (Seek), sequence numbers decode to offsets
 * (AFTER_SEQUENCE_NUMBER of a record: the offset after it; of a position
 * number, the continuation of an empty shard: that position).
 */
import { KinesisError, decodeSequenceNumber, shardIdFromIndex, streamTagOf, type StartingPositionInput } from '@shoal/core';
import type { ShardRecord, StreamRecord } from '@shoal/metadata';
import type { OperationContext } from '../operation';
import { callShardLeader, storageFailure } from '../storage/read-from-leader';

function shardNotFound(ctx: OperationContext, stream: StreamRecord, shardId: string): KinesisError {
  return new KinesisError('ResourceNotFoundException', `Shard ${shardId} in stream ${stream.streamName} under account ${ctx.caller.accountId} does not exist`);
}

function offsetOfSequenceNumber(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, text: string, after: boolean): number {
  const invalid = (why: string): KinesisError => new KinesisError('InvalidArgumentException',
    `StartingSequenceNumber ${text} used in SubscribeToShard on shard ${shard.shardId} in stream ${stream.streamName} under account ${ctx.caller.accountId} is invalid${why}.`);
  const parts = decodeSequenceNumber(text);
  if (!parts) throw invalid('');
  if (parts.streamTag !== streamTagOf(stream.streamId)) throw invalid(' because it did not come from this stream');
  if (parts.shardIndex !== shard.shardIndex) {
    throw new KinesisError('InvalidArgumentException',
      `Invalid StartingSequenceNumber. It encodes ${shardIdFromIndex(parts.shardIndex)}, while it was used in a call to a shard with ${shard.shardId}`);
  }
  if (parts.offset > BigInt(Number.MAX_SAFE_INTEGER) - 1n) throw invalid('');
  return after && parts.position !== true ? Number(parts.offset) + 1 : Number(parts.offset);
}

async function seek(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, kind: 'SEEK_LATEST' | 'SEEK_AT_TIMESTAMP', timestampMs: number): Promise<number> {
  const response = await callShardLeader(ctx, stream.streamId, shard.shardId, () => shardNotFound(ctx, stream, shard.shardId),
    (current) => ctx.storage.seek(current.leader, { shard: { stream_id: stream.streamId, shard_id: shard.shardId }, kind, timestamp_ms: timestampMs }));
  if (response.error !== 'OK') throw storageFailure(response.error);
  return response.offset;
}

/** The offset of the first record the subscription sends. */
export async function subscriptionStartOffset(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, position: StartingPositionInput): Promise<number> {
  const { Type: type, SequenceNumber: number, Timestamp: at } = position;
  switch (type) {
    case 'TRIM_HORIZON':
    case 'LATEST':
      if (number !== undefined) {
        throw new KinesisError('InvalidArgumentException', `StartingPosition of type ${type} must not specify a SequenceNumber.`);
      }
      return type === 'TRIM_HORIZON' ? 0 : seek(ctx, stream, shard, 'SEEK_LATEST', 0);
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      if (number === undefined) {
        throw new KinesisError('InvalidArgumentException', `StartingPosition of type ${type} must specify a SequenceNumber.`);
      }
      return offsetOfSequenceNumber(ctx, stream, shard, number, type === 'AFTER_SEQUENCE_NUMBER');
    case 'AT_TIMESTAMP': {
      if (at === undefined) {
        throw new KinesisError('InvalidArgumentException', 'StartingPosition of type AT_TIMESTAMP must specify a Timestamp.');
      }
      const now = ctx.now();
      if (at > now) {
        throw new KinesisError('InvalidArgumentException',
          `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${at}, currentTimestampInMillis: ${now}`);
      }
      return seek(ctx, stream, shard, 'SEEK_AT_TIMESTAMP', Math.max(0, at));
    }
  }
}

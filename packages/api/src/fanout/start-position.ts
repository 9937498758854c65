/**
 * SubscribeToShard's StartingPosition as an offset of the shard's log:
 * TRIM_HORIZON is offset 0 (the node starts at its log start), LATEST and
 * AT_TIMESTAMP ask the leader (Seek), sequence numbers decode to offsets
 * (AFTER_SEQUENCE_NUMBER of a record: the offset after it; of a position
 * number, the continuation of an empty shard: that position).
 */
import { KinesisError, type StartingPositionInput } from '@shoal/core';
import type { ShardRecord, StreamRecord } from '@shoal/metadata';
import type { OperationContext } from '../operation';
import { offsetOfSequenceNumber, seekOffset } from '../streams/start-offset';
import { timestampInFuture } from '../kinesis-errors';

/** The offset of the first record the subscription sends. */
export async function subscriptionStartOffset(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, position: StartingPositionInput): Promise<number> {
  const { Type: type, SequenceNumber: number, Timestamp: at } = position;
  switch (type) {
    case 'TRIM_HORIZON':
    case 'LATEST':
      if (number !== undefined) {
        throw new KinesisError('InvalidArgumentException', `StartingPosition of type ${type} must not specify a SequenceNumber.`);
      }
      return type === 'TRIM_HORIZON' ? 0 : seekOffset(ctx, stream, shard, 'SEEK_LATEST', 0);
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      if (number === undefined) {
        throw new KinesisError('InvalidArgumentException', `StartingPosition of type ${type} must specify a SequenceNumber.`);
      }
      return offsetOfSequenceNumber(ctx, stream, shard, number, type === 'AFTER_SEQUENCE_NUMBER', 'SubscribeToShard');
    case 'AT_TIMESTAMP': {
      if (at === undefined) {
        throw new KinesisError('InvalidArgumentException', 'StartingPosition of type AT_TIMESTAMP must specify a Timestamp.');
      }
      const now = ctx.now();
      if (at > now) {
        throw timestampInFuture(at, now);
      }
      return seekOffset(ctx, stream, shard, 'SEEK_AT_TIMESTAMP', Math.max(0, at));
    }
  }
}

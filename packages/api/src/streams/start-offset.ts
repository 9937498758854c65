/**
 * Where a read starts in a shard's log, shared by GetShardIterator and
 * SubscribeToShard: a sequence number decoded to an offset with Kinesis'
 * answers to numbers of another shard, another stream or another layout,
 * and LATEST / AT_TIMESTAMP asked of the shard leader (Seek).
 */
import { KinesisError, parseSequenceNumber, shardIdFromIndex } from '@shoal/core';
import type { ShardRecord, StreamRecord } from '@shoal/metadata';
import type { OperationContext } from '../operation';
import { callShardLeader, storageFailure } from '../storage/read-from-leader';
import { shardCreatedSecs } from './sequence-numbers';
import { shardDoesNotExist } from '../kinesis-errors';

/** A shard id as Kinesis prints the index a sequence number encodes (a negative one as shardId--0NNNNNNNNNN). */
function encodedShardId(index: number): string {
  return index < 0 ? `shardId--${String(-index).padStart(11, '0')}` : shardIdFromIndex(index);
}

/**
 * Where reading starts at (`after` false) or after (`after` true) a sequence number of this shard;
 * Kinesis' errors (naming `operation`) if it belongs elsewhere. A position number (SubscribeToShard's
 * continuation before it sent a record) names the place before a record: both start there.
 */
export function offsetOfSequenceNumber(
  ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, text: string, after: boolean, operation: 'GetShardIterator' | 'SubscribeToShard',
): number {
  const invalid = (why: string): KinesisError => new KinesisError('InvalidArgumentException',
    `StartingSequenceNumber ${text} used in ${operation} on shard ${shard.shardId} in stream ${stream.streamName} under account ${ctx.caller.accountId} is invalid${why}.`);
  const parts = parseSequenceNumber(text);
  if (!parts) throw invalid('');
  if (parts.shardIndex !== shard.shardIndex) {
    throw new KinesisError('InvalidArgumentException',
      `Invalid StartingSequenceNumber. It encodes ${encodedShardId(parts.shardIndex)}, while it was used in a call to a shard with ${shard.shardId}`);
  }
  // Kinesis fails a number of its oldest layout with a bare InternalFailure.
  if (parts.version === 0) throw new KinesisError('InternalFailure', '');
  if (parts.version !== 2 || parts.shardCreatedSecs !== shardCreatedSecs(shard)) throw invalid(' because it did not come from this stream');
  if (parts.offset > BigInt(Number.MAX_SAFE_INTEGER) - 1n) throw invalid('');
  const position = parts.arrivalSecs === 0;
  return after && !position ? Number(parts.offset) + 1 : Number(parts.offset);
}

/** LATEST (the high watermark) or the first offset that arrived at or after `timestampMs`, from the shard leader. */
export async function seekOffset(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, kind: 'SEEK_LATEST' | 'SEEK_AT_TIMESTAMP', timestampMs: number): Promise<number> {
  const response = await callShardLeader(ctx, stream.streamId, shard.shardId, () => shardDoesNotExist(shard.shardId, stream.streamName, ctx.caller.accountId),
    (current) => ctx.storage.seek(current.leader, { shard: { stream_id: stream.streamId, shard_id: shard.shardId }, kind, timestamp_ms: timestampMs }));
  if (response.error !== 'OK') throw storageFailure(response.error);
  return response.offset;
}

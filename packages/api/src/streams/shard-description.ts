/**
 * Renders a shard record as Kinesis' `Shard` structure (DescribeStream,
 * ListShards, GetRecords ChildShards), and stream summaries.
 */
import { isOpenShard, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import type { OperationOutput } from '../operation';

export function shardDescription(shard: ShardRecord): OperationOutput {
  return {
    ShardId: shard.shardId,
    ParentShardId: shard.parentShardId,
    AdjacentParentShardId: shard.adjacentParentShardId,
    HashKeyRange: { StartingHashKey: shard.hashKeyStart, EndingHashKey: shard.hashKeyEnd },
    SequenceNumberRange: { StartingSequenceNumber: shard.startingSequenceNumber, EndingSequenceNumber: shard.endingSequenceNumber },
  };
}

/** True while the shard takes writes (not closed by a split or merge). */
export function isOpen(shard: ShardRecord): boolean {
  return isOpenShard(shard);
}

/** Members shared by StreamDescription, StreamDescriptionSummary and ListStreams' StreamSummaries. */
export function streamBasics(stream: StreamRecord): OperationOutput {
  return {
    StreamName: stream.streamName,
    StreamARN: stream.streamArn,
    StreamStatus: stream.status,
    StreamModeDetails: { StreamMode: stream.mode },
    StreamCreationTimestamp: new Date(stream.createdMs),
  };
}

/** Retention, monitoring and encryption members of StreamDescription(Summary). */
export function streamSettings(stream: StreamRecord): OperationOutput {
  return {
    RetentionPeriodHours: stream.retentionPeriodHours,
    EnhancedMonitoring: [{ ShardLevelMetrics: [...(stream.shardLevelMetrics ?? [])] }],
    EncryptionType: stream.encryptionType,
    KeyId: stream.keyId,
  };
}

/** @shoal/core: pure, deterministic Kinesis and replication logic. No I/O. */
export * as limits from './limits';
export { KINESIS_ERRORS, KinesisError, streamNotFound, shardRateExceededMessage } from './errors';
export type { KinesisErrorType } from './errors';
export { HASH_KEY_MAX, HASH_KEY_SPACE, partitionKeyToHashKey, bufferToHashKey, hashKeyToBuffer, evenHashKeyRanges, rangeContains } from './hash-key';
export type { HashKeyRange } from './hash-key';
export { normaliseShardId, shardIdFromIndex, shardIndexFromId } from './shard-id';
export { SEQUENCE_NUMBER_PATTERN, streamTagOf, encodeSequenceNumber, decodeSequenceNumber, sequenceNumberCounter } from './sequence-number';
export type { SequenceNumberParts } from './sequence-number';
export { encodeShardIterator, decodeShardIterator } from './shard-iterator';
export type { ShardIteratorPayload, DecodedShardIterator } from './shard-iterator';
export { findOpenShard, createShardRouter, checkTiling } from './shard-map';
export type { ShardRange } from './shard-map';
export {
  adjacent, applyReshardSteps, checkReshardSteps, isUniform, mergeStep, midpointSplitStep, planUniformRound, splitProblem, splitStep,
} from './reshard';
export type { ReshardStep } from './reshard';
export { validateRequest } from './validation/validate-request';
export { checkTypes, decodeBase64Strict } from './validation/check-types';
export type { TimestampUnit } from './validation/check-types';
export { checkConstraints, constraintClause, validationError, VALIDATION_ERRORS_MAX } from './validation/check-constraints';
export type { MemberRule, MemberType, Shape } from './validation/shape';
export {
  CREATE_STREAM, DELETE_STREAM, DESCRIBE_STREAM, DESCRIBE_STREAM_SUMMARY, LIST_STREAMS, LIST_SHARDS, PUT_RECORD, PUT_RECORDS,
  GET_SHARD_ITERATOR, GET_RECORDS, STREAM_MODES, SHARD_ITERATOR_TYPES, SHARD_FILTER_TYPES, NAME_PATTERN,
  SEQUENCE_NUMBER_PATTERN_TEXT, HASH_KEY_PATTERN_TEXT, STREAM_ARN_PATTERN_TEXT,
  SPLIT_SHARD, MERGE_SHARDS, UPDATE_SHARD_COUNT, UPDATE_STREAM_MODE, UPDATE_STREAM_WARM_THROUGHPUT, UPDATE_MAX_RECORD_SIZE, SCALING_TYPES,
} from './validation/request-shapes';
export type {
  StreamTarget, StreamModeName, ShardIteratorType, ShardFilterType, CreateStreamInput, DeleteStreamInput, DescribeStreamInput,
  DescribeStreamSummaryInput, ListStreamsInput, ListShardsInput, PutRecordInput, PutRecordsEntry, PutRecordsInput,
  GetShardIteratorInput, GetRecordsInput, SplitShardInput, MergeShardsInput, UpdateShardCountInput, UpdateStreamModeInput,
  UpdateStreamWarmThroughputInput, UpdateMaxRecordSizeInput,
} from './validation/request-shapes';
export {
  RECORD_BATCH_MAGIC, RECORD_BATCH_VERSION, RECORD_BATCH_HEADER_BYTES, RECORD_BATCH_RECORD_OVERHEAD_BYTES, RECORD_BATCH_RECORDS_MAX,
  RecordBatch, assembleRecordBatch, crc32, encodeRecordBatch, encodeRecordBody, readRecordBatchHeader, recordEncodedBytes, scanRecordBody,
} from './record-batch';
export type { BatchRecord, BodyRecordInput, RecordBatchHeader, RecordBodySlice, RecordInput } from './record-batch';
export { TokenBucket } from './token-bucket';
export type { TokenBucketOptions } from './token-bucket';
export { LeaderEpochCache } from './replication/leader-epoch-cache';
export type { EpochEntry } from './replication/leader-epoch-cache';
export { ReplicaMachine } from './replication/replica-machine';
export type {
  AppendAck, AppendCheck, AppendMessage, AppendRefusal, BatchPosition, FollowerProgress, IsrProposal, ReplicaConfig, ReplicaPersistedState, ReplicaRole,
  ReplicationErrorCode, SendRequest, TruncateRequest, EpochBumpProposal, ReplicaProposals, SealProposal,
} from './replication/replica-machine';
export { nextIsr } from './replication/isr-policy';
export type { FollowerSyncState, IsrPolicyInput } from './replication/isr-policy';
export {
  REPLICATION_INFLIGHT_MAX, REPLICATION_RESEND_TIMEOUT_MS, REPLICATION_RETRY_BACKOFF_MS, EPOCH_CACHE_ENTRIES_MAX,
  ISR_LAG_TIME_MAX_MS, ISR_CHANGE_RETRY_MS, TRUNCATION_ROUNDS_MAX, SEAL_RETRY_MS, EPOCH_BUMP_RETRY_MS,
} from './replication/replication-limits';
export { SeededRandom } from './seeded-random';

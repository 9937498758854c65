/** @shoal/core: pure, deterministic Kinesis and replication logic. No I/O. */
export * as limits from './limits';
export { KinesisError, streamNotFound, shardRateExceededMessage } from './errors';
export type { KinesisErrorType } from './errors';
export { HASH_KEY_MAX, partitionKeyToHashKey, evenHashKeyRanges } from './hash-key';
export { normaliseShardId, shardIdFromIndex, shardIndexFromId } from './shard-id';
export {
  SEQUENCE_NUMBER_PATTERN, encodeSequenceNumber, decodeSequenceNumber, parseSequenceNumber, sequenceNumberCounter, startingSequenceNumber,
  positionSequenceNumber,
} from './sequence-number';
export { encodeShardIterator, decodeShardIterator } from './shard-iterator';
export type { ShardIteratorPayload } from './shard-iterator';
export { createShardRouter, checkTiling } from './shard-map';
export type { ShardRange } from './shard-map';
export { applyReshardSteps, checkReshardSteps, mergeStep, midpointSplitStep, planUniformRound, splitProblem, splitStep } from './reshard';
export type { ReshardStep } from './reshard';
export { validateRequest } from './validation/validate-request';
export type { TimestampUnit } from './validation/check-types';
export type { Shape } from './validation/shape';
export {
  CREATE_STREAM, DELETE_STREAM, DESCRIBE_STREAM, DESCRIBE_STREAM_SUMMARY, LIST_STREAMS, LIST_SHARDS, PUT_RECORD, PUT_RECORDS, GET_SHARD_ITERATOR,
  GET_RECORDS, SPLIT_SHARD, MERGE_SHARDS, UPDATE_SHARD_COUNT, UPDATE_STREAM_MODE, UPDATE_STREAM_WARM_THROUGHPUT, UPDATE_MAX_RECORD_SIZE,
  putShapesFor,
} from './validation/request-shapes';
export {
  ADD_TAGS_TO_STREAM, REMOVE_TAGS_FROM_STREAM, LIST_TAGS_FOR_STREAM, TAG_RESOURCE, UNTAG_RESOURCE, LIST_TAGS_FOR_RESOURCE,
} from './validation/tag-shapes';
export type {
  AddTagsToStreamInput, RemoveTagsFromStreamInput, ListTagsForStreamInput, TagResourceInput, UntagResourceInput, ListTagsForResourceInput,
} from './validation/tag-shapes';
export {
  INCREASE_STREAM_RETENTION_PERIOD, DECREASE_STREAM_RETENTION_PERIOD, START_STREAM_ENCRYPTION, STOP_STREAM_ENCRYPTION,
  ENABLE_ENHANCED_MONITORING, DISABLE_ENHANCED_MONITORING, DESCRIBE_LIMITS, DESCRIBE_ACCOUNT_SETTINGS, UPDATE_ACCOUNT_SETTINGS,
  UPDATE_STREAM_RECORD_DISTRIBUTION_STRATEGY, SHARD_LEVEL_METRICS,
} from './validation/stream-settings-shapes';
export type {
  StreamRetentionPeriodInput, StreamEncryptionInput, EnhancedMonitoringInput, ShardLevelMetricName, UpdateAccountSettingsInput,
  UpdateStreamRecordDistributionStrategyInput,
} from './validation/stream-settings-shapes';
export type {
  StreamTarget, CreateStreamInput, DeleteStreamInput, DescribeStreamInput, DescribeStreamSummaryInput, ListStreamsInput, ListShardsInput,
  PutRecordInput, PutRecordsInput, GetShardIteratorInput, GetRecordsInput, SplitShardInput, MergeShardsInput, UpdateShardCountInput,
  UpdateStreamModeInput, UpdateStreamWarmThroughputInput, UpdateMaxRecordSizeInput,
} from './validation/request-shapes';
export {
  RECORD_BATCH_RECORD_OVERHEAD_BYTES, RecordBatch, assembleRecordBatch, encodeRecordBatch, encodeRecordBody, scanRecordBody,
} from './record-batch';
export type { BatchRecord, BodyRecordInput, RecordBodySlice } from './record-batch';
export { TokenBucket } from './token-bucket';
export type { EpochEntry } from './replication/leader-epoch-cache';
export { ReplicaMachine } from './replication/replica-machine';
export type {
  AppendAck, AppendMessage, AppendRefusal, ReplicaConfig, ReplicaPersistedState, ReplicaRole, ReplicationErrorCode, SendRequest, ReplicaProposals,
} from './replication/replica-machine';
export { REPLICATION_INFLIGHT_MAX, TRUNCATION_ROUNDS_MAX } from './replication/replication-limits';
export { SeededRandom } from './seeded-random';
export { PUT_RESOURCE_POLICY, GET_RESOURCE_POLICY, DELETE_RESOURCE_POLICY } from './validation/policy-shapes';
export type { PutResourcePolicyInput, ResourcePolicyTargetInput } from './validation/policy-shapes';
export { parsePolicyDocument } from './policy/policy-document';
export type { PolicyDocument } from './policy/policy-document';
export { accessDeniedMessage, decideAccess } from './policy/evaluate-policy';
export type { AccessRequest } from './policy/evaluate-policy';
export {
  REGISTER_STREAM_CONSUMER, DESCRIBE_STREAM_CONSUMER, DEREGISTER_STREAM_CONSUMER, LIST_STREAM_CONSUMERS, SUBSCRIBE_TO_SHARD,
} from './validation/consumer-shapes';
export type {
  RegisterStreamConsumerInput, ConsumerTargetInput, ListStreamConsumersInput, StartingPositionInput, SubscribeToShardInput,
} from './validation/consumer-shapes';
export {
  DATA_KEY_BYTES, ENVELOPE_MAGIC, ENVELOPE_NONCE_BYTES, ENVELOPE_OVERHEAD_BYTES, envelopeKeyVersion, openRecord, sealRecord, unwrapDataKey, wrapDataKey,
} from './record-envelope';
export type { PlainRecord } from './record-envelope';

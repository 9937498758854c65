/** @shoal/core: pure, deterministic Kinesis and replication logic. No I/O. */
export * as limits from './limits';
export { KINESIS_ERRORS, KinesisError, streamNotFound, shardRateExceededMessage } from './errors';
export type { KinesisErrorType } from './errors';
export { HASH_KEY_MAX, HASH_KEY_SPACE, partitionKeyToHashKey, bufferToHashKey, hashKeyToBuffer, evenHashKeyRanges, rangeContains } from './hash-key';
export type { HashKeyRange } from './hash-key';
export { normaliseShardId, shardIdFromIndex, shardIndexFromId } from './shard-id';
export {
  SEQUENCE_NUMBER_PATTERN, encodeSequenceNumber, decodeSequenceNumber, parseSequenceNumber, sequenceNumberCounter, startingSequenceNumber, isPositionNumber, positionSequenceNumber,
} from './sequence-number';
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
export { PUT_RESOURCE_POLICY, GET_RESOURCE_POLICY, DELETE_RESOURCE_POLICY, RESOURCE_ARN_PATTERN_TEXT } from './validation/policy-shapes';
export type { PutResourcePolicyInput, ResourcePolicyTargetInput } from './validation/policy-shapes';
export { parsePolicyDocument } from './policy/policy-document';
export type { PolicyDocument, PolicyStatement, PolicyPrincipals, PatternSet, PolicyEffect } from './policy/policy-document';
export type { PolicyCondition, ConditionContext } from './policy/policy-conditions';
export { CROSS_ACCOUNT_ACTIONS, accessDeniedMessage, decideAccess, evaluatePolicy } from './policy/evaluate-policy';
export type { AccessDecision, AccessRequest, PolicyEffectMatch } from './policy/evaluate-policy';
export { wildcardMatch } from './policy/wildcard';
export {
  CONSUMER_ARN_PATTERN_TEXT, REGISTER_STREAM_CONSUMER, DESCRIBE_STREAM_CONSUMER, DEREGISTER_STREAM_CONSUMER, LIST_STREAM_CONSUMERS, SUBSCRIBE_TO_SHARD,
} from './validation/consumer-shapes';
export type {
  RegisterStreamConsumerInput, ConsumerTargetInput, ListStreamConsumersInput, StartingPositionInput, SubscribeToShardInput,
} from './validation/consumer-shapes';
export {
  DATA_KEY_BYTES, ENVELOPE_MAGIC, ENVELOPE_NONCE_BYTES, ENVELOPE_OVERHEAD_BYTES, envelopeKeyVersion, openRecord, sealRecord, unwrapDataKey, wrapDataKey,
} from './record-envelope';
export type { PlainRecord } from './record-envelope';

/** @shoal/core: pure, deterministic Kinesis and replication logic. No I/O. */
export * as limits from './limits';
export { KINESIS_ERRORS, KinesisError, streamNotFound, shardRateExceededMessage } from './errors';
export type { KinesisErrorType } from './errors';
export { HASH_KEY_MAX, HASH_KEY_SPACE, partitionKeyToHashKey, bufferToHashKey, hashKeyToBuffer, evenHashKeyRanges, rangeContains } from './hash-key';
export type { HashKeyRange } from './hash-key';
export { shardIdFromIndex, shardIndexFromId } from './shard-id';
export { SEQUENCE_NUMBER_PATTERN, streamTagOf, encodeSequenceNumber, decodeSequenceNumber } from './sequence-number';
export type { SequenceNumberParts } from './sequence-number';

/**
 * The request shapes of the Kinesis operations the api serves, with the
 * members in the order Kinesis checks them, and the typed form each
 * request has once validated (blobs as Buffers, timestamps in epoch ms).
 *
 * Every operation that names a stream takes StreamName or StreamARN; when
 * neither is given Kinesis reports StreamName as null.
 */
import {
  GET_RECORDS_LIMIT_MAX, ITERATOR_LENGTH_MAX, LIST_SHARDS_MAX_RESULTS_MAX,
  LIST_STREAMS_LIMIT_MAX, PARTITION_KEY_LENGTH_MAX, PARTITION_KEY_LENGTH_MIN, PUT_RECORDS_COUNT_MAX,
  RECORD_BYTES_CONFIGURABLE_MAX, STREAM_NAME_LENGTH_MAX, MAX_RECORD_SIZE_KIB_MIN, MAX_RECORD_SIZE_KIB_MAX,
  TAG_KEY_LENGTH_MAX, TAG_KEY_LENGTH_MIN, TAG_MAP_ENTRIES_MAX, TAG_VALUE_LENGTH_MAX,
} from '../limits';
import type { MemberRule, Shape } from './shape';

/** The API model's patterns, as Kinesis prints them in messages. */
export const NAME_PATTERN = '[a-zA-Z0-9_.-]+';
export const SEQUENCE_NUMBER_PATTERN_TEXT = '0|([1-9]\\d{0,128})';
export const HASH_KEY_PATTERN_TEXT = '0|([1-9]\\d{0,38})';
export const STREAM_ARN_PATTERN_TEXT = 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+';
const STREAM_ARN_LENGTH_MAX = 2048;
const SHARD_ID_LENGTH_MAX = 128;
const NEXT_TOKEN_LENGTH_MAX = 1048576;

export const STREAM_NAME_RULE = { type: 'String', pattern: NAME_PATTERN, lengthMin: 1, lengthMax: STREAM_NAME_LENGTH_MAX } as const;
/** StreamName when StreamARN may stand in for it. */
export const STREAM_NAME_OR_ARN: MemberRule = { ...STREAM_NAME_RULE, notNull: (parent) => parent['StreamARN'] == null };
export const STREAM_ARN: MemberRule = { type: 'String', pattern: STREAM_ARN_PATTERN_TEXT, lengthMin: 1, lengthMax: STREAM_ARN_LENGTH_MAX };
const SHARD_ID: MemberRule = { type: 'String', pattern: NAME_PATTERN, lengthMin: 1, lengthMax: SHARD_ID_LENGTH_MAX };
const PARTITION_KEY: MemberRule = { type: 'String', notNull: true, lengthMin: PARTITION_KEY_LENGTH_MIN, lengthMax: PARTITION_KEY_LENGTH_MAX };
/** The model's TagMap: 1..200 entries (CreateStream's documented 50 is checked by the api). */
export const TAG_MAP: MemberRule = {
  type: 'Map', lengthMin: 1, lengthMax: TAG_MAP_ENTRIES_MAX,
  key: { type: 'String', lengthMin: TAG_KEY_LENGTH_MIN, lengthMax: TAG_KEY_LENGTH_MAX },
  value: { type: 'String', lengthMin: 0, lengthMax: TAG_VALUE_LENGTH_MAX },
};
const MAX_RECORD_SIZE_KIB: MemberRule = { type: 'Integer', min: MAX_RECORD_SIZE_KIB_MIN, max: MAX_RECORD_SIZE_KIB_MAX };
/** The model's NaturalIntegerObject: min 0, no upper bound. */
const WARM_THROUGHPUT_MIBPS: MemberRule = { type: 'Integer', min: 0 };
const EXPLICIT_HASH_KEY: MemberRule = { type: 'String', pattern: HASH_KEY_PATTERN_TEXT };
const DATA: MemberRule = { type: 'Blob', notNull: true, lengthMax: RECORD_BYTES_CONFIGURABLE_MAX };

export const STREAM_MODES = ['PROVISIONED', 'ON_DEMAND'] as const;
export const SHARD_ITERATOR_TYPES = ['AFTER_SEQUENCE_NUMBER', 'LATEST', 'AT_TIMESTAMP', 'AT_SEQUENCE_NUMBER', 'TRIM_HORIZON'] as const;
export const SHARD_FILTER_TYPES = ['AFTER_SHARD_ID', 'AT_TRIM_HORIZON', 'FROM_TRIM_HORIZON', 'AT_LATEST', 'AT_TIMESTAMP', 'FROM_TIMESTAMP'] as const;

export type StreamModeName = (typeof STREAM_MODES)[number];
export type ShardIteratorType = (typeof SHARD_ITERATOR_TYPES)[number];
export type ShardFilterType = (typeof SHARD_FILTER_TYPES)[number];

/** Members every stream-addressed request has once validated. */
export interface StreamTarget {
  readonly StreamName?: string;
  readonly StreamARN?: string;
}

export const CREATE_STREAM: Shape = {
  // Required only for PROVISIONED streams (the default mode).
  // The model's PositiveIntegerObject: min 1 only; counts over the quota are LimitExceededException.
  ShardCount: {
    type: 'Integer', min: 1,
    notNull: (parent) => (parent['StreamModeDetails'] as { StreamMode?: unknown } | undefined)?.StreamMode !== 'ON_DEMAND',
  },
  StreamName: { ...STREAM_NAME_RULE, notNull: true },
  StreamModeDetails: { type: 'Structure', members: { StreamMode: { type: 'String', notNull: true, enum: STREAM_MODES } } },
  Tags: TAG_MAP,
  WarmThroughputMiBps: WARM_THROUGHPUT_MIBPS,
  MaxRecordSizeInKiB: MAX_RECORD_SIZE_KIB,
  RecordDistributionStrategy: { type: 'String', enum: ['AUTO', 'USER_PARTITION_KEY'] },
};
export interface CreateStreamInput {
  readonly ShardCount?: number;
  readonly StreamName: string;
  readonly StreamModeDetails?: { readonly StreamMode: StreamModeName };
  readonly Tags?: Readonly<Record<string, string>>;
  readonly WarmThroughputMiBps?: number;
  readonly MaxRecordSizeInKiB?: number;
  readonly RecordDistributionStrategy?: 'AUTO' | 'USER_PARTITION_KEY';
}

export const DELETE_STREAM: Shape = {
  EnforceConsumerDeletion: { type: 'Boolean' },
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
};
export interface DeleteStreamInput extends StreamTarget {
  readonly EnforceConsumerDeletion?: boolean;
}

export const DESCRIBE_STREAM: Shape = {
  Limit: { type: 'Integer', min: 1, max: LIST_SHARDS_MAX_RESULTS_MAX },
  ExclusiveStartShardId: SHARD_ID,
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
};
export interface DescribeStreamInput extends StreamTarget {
  readonly Limit?: number;
  readonly ExclusiveStartShardId?: string;
}

export const DESCRIBE_STREAM_SUMMARY: Shape = {
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
};
export type DescribeStreamSummaryInput = StreamTarget;

export const LIST_STREAMS: Shape = {
  Limit: { type: 'Integer', min: 1, max: LIST_STREAMS_LIMIT_MAX },
  ExclusiveStartStreamName: STREAM_NAME_RULE,
  NextToken: { type: 'String', lengthMin: 1, lengthMax: NEXT_TOKEN_LENGTH_MAX },
};
export interface ListStreamsInput {
  readonly Limit?: number;
  readonly ExclusiveStartStreamName?: string;
  readonly NextToken?: string;
}

export const LIST_SHARDS: Shape = {
  ExclusiveStartShardId: SHARD_ID,
  MaxResults: { type: 'Integer', min: 1, max: LIST_SHARDS_MAX_RESULTS_MAX },
  NextToken: { type: 'String', lengthMin: 1, lengthMax: NEXT_TOKEN_LENGTH_MAX },
  StreamCreationTimestamp: { type: 'Timestamp' },
  StreamName: STREAM_NAME_RULE,
  ShardFilter: {
    type: 'Structure',
    members: {
      Type: { type: 'String', notNull: true, enum: SHARD_FILTER_TYPES },
      ShardId: SHARD_ID,
      Timestamp: { type: 'Timestamp' },
    },
  },
  StreamARN: STREAM_ARN,
};
export interface ListShardsInput extends StreamTarget {
  readonly ExclusiveStartShardId?: string;
  readonly MaxResults?: number;
  readonly NextToken?: string;
  readonly StreamCreationTimestamp?: number;
  readonly ShardFilter?: { readonly Type: ShardFilterType; readonly ShardId?: string; readonly Timestamp?: number };
}

export const PUT_RECORD: Shape = {
  SequenceNumberForOrdering: { type: 'String', pattern: SEQUENCE_NUMBER_PATTERN_TEXT },
  PartitionKey: PARTITION_KEY,
  ExplicitHashKey: EXPLICIT_HASH_KEY,
  Data: DATA,
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
};
export interface PutRecordInput extends StreamTarget {
  readonly SequenceNumberForOrdering?: string;
  /** Absent only when PUT_RECORD_KEY_OPTIONAL validated the request. */
  readonly PartitionKey?: string;
  readonly ExplicitHashKey?: string;
  readonly Data: Buffer;
}

export const PUT_RECORDS: Shape = {
  Records: {
    type: 'List', notNull: true, lengthMin: 1, lengthMax: PUT_RECORDS_COUNT_MAX,
    itemText: 'com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310',
    item: { type: 'Structure', members: { PartitionKey: PARTITION_KEY, ExplicitHashKey: EXPLICIT_HASH_KEY, Data: DATA } },
  },
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
};
export interface PutRecordsEntry {
  /** Absent only when PUT_RECORDS_KEY_OPTIONAL validated the request. */
  readonly PartitionKey?: string;
  readonly ExplicitHashKey?: string;
  readonly Data: Buffer;
}
export interface PutRecordsInput extends StreamTarget {
  readonly Records: readonly PutRecordsEntry[];
}

export const GET_SHARD_ITERATOR: Shape = {
  ShardId: { ...SHARD_ID, notNull: true },
  ShardIteratorType: { type: 'String', notNull: true, enum: SHARD_ITERATOR_TYPES },
  StartingSequenceNumber: { type: 'String', pattern: SEQUENCE_NUMBER_PATTERN_TEXT },
  StreamName: STREAM_NAME_OR_ARN,
  Timestamp: { type: 'Timestamp' },
  StreamARN: STREAM_ARN,
};
export interface GetShardIteratorInput extends StreamTarget {
  readonly ShardId: string;
  readonly ShardIteratorType: ShardIteratorType;
  readonly StartingSequenceNumber?: string;
  readonly Timestamp?: number;
}

export const GET_RECORDS: Shape = {
  Limit: { type: 'Integer', min: 1, max: GET_RECORDS_LIMIT_MAX },
  ShardIterator: { type: 'String', notNull: true, lengthMin: 1, lengthMax: ITERATOR_LENGTH_MAX },
  StreamARN: STREAM_ARN,
};
export interface GetRecordsInput {
  readonly Limit?: number;
  readonly ShardIterator: string;
  readonly StreamARN?: string;
}

const STREAM_ARN_REQUIRED: MemberRule = { ...STREAM_ARN, notNull: true };
export const SCALING_TYPES = ['UNIFORM_SCALING'] as const;

export const SPLIT_SHARD: Shape = {
  NewStartingHashKey: { type: 'String', notNull: true, pattern: HASH_KEY_PATTERN_TEXT },
  ShardToSplit: { ...SHARD_ID, notNull: true },
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
};
export interface SplitShardInput extends StreamTarget {
  readonly NewStartingHashKey: string;
  readonly ShardToSplit: string;
}

export const MERGE_SHARDS: Shape = {
  AdjacentShardToMerge: { ...SHARD_ID, notNull: true },
  ShardToMerge: { ...SHARD_ID, notNull: true },
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
};
export interface MergeShardsInput extends StreamTarget {
  readonly AdjacentShardToMerge: string;
  readonly ShardToMerge: string;
}

export const UPDATE_SHARD_COUNT: Shape = {
  ScalingType: { type: 'String', notNull: true, enum: SCALING_TYPES },
  StreamName: STREAM_NAME_OR_ARN,
  // PositiveIntegerObject: min 1 only; targets over the quota are LimitExceededException.
  TargetShardCount: { type: 'Integer', notNull: true, min: 1 },
  StreamARN: STREAM_ARN,
};
export interface UpdateShardCountInput extends StreamTarget {
  readonly ScalingType: (typeof SCALING_TYPES)[number];
  readonly TargetShardCount: number;
}

export const UPDATE_STREAM_MODE: Shape = {
  StreamARN: STREAM_ARN_REQUIRED,
  StreamModeDetails: { type: 'Structure', notNull: true, members: { StreamMode: { type: 'String', notNull: true, enum: STREAM_MODES } } },
  WarmThroughputMiBps: WARM_THROUGHPUT_MIBPS,
};
export interface UpdateStreamModeInput {
  readonly StreamARN: string;
  readonly StreamModeDetails: { readonly StreamMode: StreamModeName };
  readonly WarmThroughputMiBps?: number;
}

export const UPDATE_STREAM_WARM_THROUGHPUT: Shape = {
  StreamARN: STREAM_ARN,
  StreamName: STREAM_NAME_OR_ARN,
  WarmThroughputMiBps: { ...WARM_THROUGHPUT_MIBPS, notNull: true },
};
export interface UpdateStreamWarmThroughputInput extends StreamTarget {
  readonly WarmThroughputMiBps: number;
}

// The model marks only MaxRecordSizeInKiB required; the stream is named by StreamName or StreamARN as everywhere.
export const UPDATE_MAX_RECORD_SIZE: Shape = {
  StreamARN: STREAM_ARN,
  StreamName: STREAM_NAME_OR_ARN,
  MaxRecordSizeInKiB: { ...MAX_RECORD_SIZE_KIB, notNull: true },
};
export interface UpdateMaxRecordSizeInput extends StreamTarget {
  readonly MaxRecordSizeInKiB: number;
}

const putShapes = new Map<string, { readonly putRecord: Shape; readonly putRecords: Shape }>();

/**
 * The PutRecord and PutRecords shapes for a stream whose records may hold
 * `dataBytesMax` bytes of data (its MaxRecordSizeInKiB; Kinesis reports
 * larger data among the request's validation errors) and, on an
 * AUTO-distribution stream, no partition key. Built once per combination.
 */
export function putShapesFor(dataBytesMax: number, keyOptional: boolean): { readonly putRecord: Shape; readonly putRecords: Shape } {
  const cacheKey = `${dataBytesMax}/${keyOptional}`;
  let shapes = putShapes.get(cacheKey);
  if (shapes) return shapes;
  const partitionKey: MemberRule = keyOptional ? { ...PARTITION_KEY, notNull: false } : PARTITION_KEY;
  const data: MemberRule = { ...DATA, lengthMax: Math.min(dataBytesMax, RECORD_BYTES_CONFIGURABLE_MAX) };
  shapes = {
    putRecord: { ...PUT_RECORD, PartitionKey: partitionKey, Data: data },
    putRecords: {
      ...PUT_RECORDS,
      Records: { ...PUT_RECORDS['Records']!, item: { type: 'Structure', members: { PartitionKey: partitionKey, ExplicitHashKey: EXPLICIT_HASH_KEY, Data: data } } },
    },
  };
  // Bounded by the valid record sizes (MAX_RECORD_SIZE_KIB_MIN..MAX) times two.
  if (putShapes.size < 2 * (MAX_RECORD_SIZE_KIB_MAX - MAX_RECORD_SIZE_KIB_MIN + 2)) putShapes.set(cacheKey, shapes);
  return shapes;
}

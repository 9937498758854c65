/**
 * Request shapes of the enhanced fan-out operations (registered consumers
 * and SubscribeToShard), with the members in the order Kinesis checks them
 * and the typed form of each request once validated. Bounds and patterns
 * follow the Kinesis API reference (Consumer, ListStreamConsumers,
 * StartingPosition).
 */
import { LIST_STREAM_CONSUMERS_MAX_RESULTS_MAX, TAG_MAP_ENTRIES_MAX, TAG_KEY_LENGTH_MAX, TAG_KEY_LENGTH_MIN, TAG_VALUE_LENGTH_MAX } from '../limits';
import { NAME_PATTERN, SEQUENCE_NUMBER_PATTERN_TEXT, SHARD_ITERATOR_TYPES, STREAM_ARN_PATTERN_TEXT, type ShardIteratorType } from './request-shapes';
import type { MemberRule, Shape } from './shape';

/** The API model's pattern of consumer ARNs, as Kinesis prints it. */
export const CONSUMER_ARN_PATTERN_TEXT = '^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+';
const ARN_LENGTH_MAX = 2048;
const CONSUMER_NAME_LENGTH_MAX = 128;
const SHARD_ID_LENGTH_MAX = 128;
const NEXT_TOKEN_LENGTH_MAX = 1048576;

const STREAM_ARN: MemberRule = { type: 'String', pattern: STREAM_ARN_PATTERN_TEXT, lengthMin: 1, lengthMax: ARN_LENGTH_MAX };
const CONSUMER_NAME: MemberRule = { type: 'String', pattern: NAME_PATTERN, lengthMin: 1, lengthMax: CONSUMER_NAME_LENGTH_MAX };
const CONSUMER_ARN: MemberRule = { type: 'String', pattern: CONSUMER_ARN_PATTERN_TEXT, lengthMin: 1, lengthMax: ARN_LENGTH_MAX };
const TAG_MAP: MemberRule = {
  type: 'Map', lengthMin: 1, lengthMax: TAG_MAP_ENTRIES_MAX,
  key: { type: 'String', lengthMin: TAG_KEY_LENGTH_MIN, lengthMax: TAG_KEY_LENGTH_MAX },
  value: { type: 'String', lengthMin: 0, lengthMax: TAG_VALUE_LENGTH_MAX },
};

export const REGISTER_STREAM_CONSUMER: Shape = {
  StreamARN: { ...STREAM_ARN, notNull: true },
  ConsumerName: { ...CONSUMER_NAME, notNull: true },
  Tags: TAG_MAP,
};
export interface RegisterStreamConsumerInput {
  readonly StreamARN: string;
  readonly ConsumerName: string;
  readonly Tags?: Readonly<Record<string, string>>;
}

/** DescribeStreamConsumer and DeregisterStreamConsumer: ConsumerARN, or StreamARN and ConsumerName. */
export const CONSUMER_TARGET: Shape = {
  StreamARN: STREAM_ARN,
  ConsumerName: CONSUMER_NAME,
  ConsumerARN: CONSUMER_ARN,
};
export interface ConsumerTargetInput {
  readonly StreamARN?: string;
  readonly ConsumerName?: string;
  readonly ConsumerARN?: string;
}
export const DESCRIBE_STREAM_CONSUMER = CONSUMER_TARGET;
export const DEREGISTER_STREAM_CONSUMER = CONSUMER_TARGET;

export const LIST_STREAM_CONSUMERS: Shape = {
  StreamARN: { ...STREAM_ARN, notNull: true },
  NextToken: { type: 'String', lengthMin: 1, lengthMax: NEXT_TOKEN_LENGTH_MAX },
  MaxResults: { type: 'Integer', min: 1, max: LIST_STREAM_CONSUMERS_MAX_RESULTS_MAX },
  StreamCreationTimestamp: { type: 'Timestamp' },
};
export interface ListStreamConsumersInput {
  readonly StreamARN: string;
  readonly NextToken?: string;
  readonly MaxResults?: number;
  readonly StreamCreationTimestamp?: number;
}

export const SUBSCRIBE_TO_SHARD: Shape = {
  ConsumerARN: { ...CONSUMER_ARN, notNull: true },
  ShardId: { type: 'String', notNull: true, pattern: NAME_PATTERN, lengthMin: 1, lengthMax: SHARD_ID_LENGTH_MAX },
  StartingPosition: {
    type: 'Structure', notNull: true,
    members: {
      Type: { type: 'String', notNull: true, enum: SHARD_ITERATOR_TYPES },
      SequenceNumber: { type: 'String', pattern: SEQUENCE_NUMBER_PATTERN_TEXT },
      Timestamp: { type: 'Timestamp' },
    },
  },
  DryRun: { type: 'Boolean' },
};
export interface StartingPositionInput {
  readonly Type: ShardIteratorType;
  readonly SequenceNumber?: string;
  /** Epoch milliseconds. */
  readonly Timestamp?: number;
}
export interface SubscribeToShardInput {
  readonly ConsumerARN: string;
  readonly ShardId: string;
  readonly StartingPosition: StartingPositionInput;
  readonly DryRun?: boolean;
}

/**
 * Request shapes of the operations that change a stream's settings or read
 * the account's (retention, encryption, enhanced monitoring, record
 * distribution, DescribeLimits, account settings), as in the current API
 * model. RetentionPeriodHours has no bounds in the model: 24..8760 hours
 * are checked by the api (InvalidArgumentException, Kinesis' messages).
 */
import { KEY_ID_LENGTH_MAX } from '../limits';
import { STREAM_ARN, STREAM_NAME_OR_ARN, type StreamTarget } from './request-shapes';
import type { MemberRule, Shape } from './shape';
import { STREAM_ID_RULE } from './tag-shapes';

export const ENCRYPTION_TYPES = ['NONE', 'KMS'] as const;
/** Shard-level metric names in the model's order; ALL stands for every one. */
export const SHARD_LEVEL_METRICS = [
  'IncomingBytes', 'IncomingRecords', 'OutgoingBytes', 'OutgoingRecords', 'WriteProvisionedThroughputExceeded', 'ReadProvisionedThroughputExceeded',
  'IteratorAgeMilliseconds', 'ALL',
] as const;
export const RECORD_DISTRIBUTION_STRATEGIES = ['AUTO', 'USER_PARTITION_KEY'] as const;
export const BILLING_COMMITMENT_INPUT_STATUSES = ['ENABLED', 'DISABLED'] as const;

export type EncryptionTypeName = (typeof ENCRYPTION_TYPES)[number];
export type ShardLevelMetricName = (typeof SHARD_LEVEL_METRICS)[number];
export type RecordDistributionStrategyName = (typeof RECORD_DISTRIBUTION_STRATEGIES)[number];

const RETENTION_PERIOD_HOURS: MemberRule = { type: 'Integer', notNull: true };
const METRICS_NAME_LIST: MemberRule = {
  type: 'List', notNull: true, lengthMin: 1, lengthMax: SHARD_LEVEL_METRICS.length - 1,
  item: { type: 'String', enum: SHARD_LEVEL_METRICS }, itemsReportedAsOne: true,
};

export const INCREASE_STREAM_RETENTION_PERIOD: Shape = {
  RetentionPeriodHours: RETENTION_PERIOD_HOURS,
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
  StreamId: STREAM_ID_RULE,
};
export const DECREASE_STREAM_RETENTION_PERIOD: Shape = INCREASE_STREAM_RETENTION_PERIOD;
export interface StreamRetentionPeriodInput extends StreamTarget {
  readonly RetentionPeriodHours: number;
}

const ENCRYPTION_MEMBERS: Shape = {
  EncryptionType: { type: 'String', notNull: true, enum: ENCRYPTION_TYPES },
  KeyId: { type: 'String', notNull: true, lengthMin: 1, lengthMax: KEY_ID_LENGTH_MAX },
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
  StreamId: STREAM_ID_RULE,
};
export const START_STREAM_ENCRYPTION: Shape = ENCRYPTION_MEMBERS;
export const STOP_STREAM_ENCRYPTION: Shape = ENCRYPTION_MEMBERS;
export interface StreamEncryptionInput extends StreamTarget {
  readonly EncryptionType: EncryptionTypeName;
  readonly KeyId: string;
}

export const ENABLE_ENHANCED_MONITORING: Shape = {
  ShardLevelMetrics: METRICS_NAME_LIST,
  StreamName: STREAM_NAME_OR_ARN,
  StreamARN: STREAM_ARN,
  StreamId: STREAM_ID_RULE,
};
export const DISABLE_ENHANCED_MONITORING: Shape = ENABLE_ENHANCED_MONITORING;
export interface EnhancedMonitoringInput extends StreamTarget {
  readonly ShardLevelMetrics: readonly ShardLevelMetricName[];
}

export const DESCRIBE_LIMITS: Shape = {};
export const DESCRIBE_ACCOUNT_SETTINGS: Shape = {};

export const UPDATE_ACCOUNT_SETTINGS: Shape = {
  MinimumThroughputBillingCommitment: {
    type: 'Structure', notNull: true, members: { Status: { type: 'String', notNull: true, enum: BILLING_COMMITMENT_INPUT_STATUSES } },
  },
};
export interface UpdateAccountSettingsInput {
  readonly MinimumThroughputBillingCommitment: { readonly Status: (typeof BILLING_COMMITMENT_INPUT_STATUSES)[number] };
}

export const UPDATE_STREAM_RECORD_DISTRIBUTION_STRATEGY: Shape = {
  StreamARN: { ...STREAM_ARN, notNull: true },
  StreamId: STREAM_ID_RULE,
  RecordDistributionStrategy: { type: 'String', notNull: true, enum: RECORD_DISTRIBUTION_STRATEGIES },
};
export interface UpdateStreamRecordDistributionStrategyInput {
  readonly StreamARN: string;
  readonly RecordDistributionStrategy: RecordDistributionStrategyName;
}

/**
 * Kinesis' error answers, one function per kind, with the wording Kinesis
 * uses (from its answers as recorded by public test suites, and its
 * documentation), so each message is typed once.
 */
import { KinesisError, limits } from '@shoal/core';
import { consumerCreationEpochSec } from './consumers/consumer-arn';

/** A stream not in the state a control operation needs. */
export function streamNotActive(streamName: string, accountId: string, status: string): KinesisError {
  return new KinesisError('ResourceInUseException', `Stream ${streamName} under account ${accountId} not ACTIVE, instead in state ${status}`);
}

/** DeleteStream without EnforceConsumerDeletion on a stream with consumers (Kinesis' typographic apostrophe included). */
export function streamHasConsumers(streamName: string, accountId: string): KinesisError {
  return new KinesisError('ResourceInUseException',
    `DeleteStream can\u2019t delete ${accountId}:${streamName} because there are consumers associated with this data stream. `
    + `To delete ${streamName} anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of all the consumers that are associated with it.`);
}

/** The consumer a call needs ACTIVE, as SubscribeToShard words it (spaces included). */
export function consumerNotActiveToSubscribe(consumerName: string, createdMs: number, streamName: string, accountId: string): KinesisError {
  return new KinesisError('ResourceInUseException', `Consumer ${consumerName} with creation timestamp ${consumerCreationEpochSec(createdMs)} `
    + `under stream: ${streamName} , account ${accountId} is not in ACTIVE status.`);
}

/** The same, as PutResourcePolicy words it. */
export function consumerNotActiveForPolicy(consumerName: string, createdMs: number, streamName: string, accountId: string): KinesisError {
  return new KinesisError('ResourceInUseException', `Consumer ${consumerName} with creation timestamp ${consumerCreationEpochSec(createdMs)} `
    + `under stream ${streamName} and account ${accountId} is not in ACTIVE status.`);
}

/** A SubscribeToShard within the takeover window of the consumer's subscription to the shard (clients match these words). */
export function subscriptionInUse(consumerArn: string): KinesisError {
  return new KinesisError('ResourceInUseException', `Another active subscription exists for this consumer: ${consumerArn}`);
}

/** The account shard quota (CreateStream, UpdateShardCount, SplitShard, UpdateStreamMode). */
export function shardLimitExceeded(accountId: string, region: string, current: number, limit: number, added: number): KinesisError {
  return new KinesisError('LimitExceededException',
    `This request would exceed the shard limit for the account ${accountId} in ${region}. Current shard count for the account: ${current}. ` +
    `Limit: ${limit}. Number of additional shards that would have resulted from this request: ${added}. ` +
    'Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.');
}

/** The account's quota of ON_DEMAND streams (CreateStream, UpdateStreamMode). */
export function onDemandStreamLimitExceeded(accountId: string, region: string, limit: number): KinesisError {
  return new KinesisError('LimitExceededException',
    `This request would exceed the limit of ${limit} streams in ON_DEMAND capacity mode for the account ${accountId} in ${region}.`);
}

/** A tag key or value with characters Kinesis refuses (anything but letters, digits, white space and _ . : / = + - @). */
export function tagCharactersInvalid(): KinesisError {
  return new KinesisError('InvalidArgumentException',
    'Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.');
}

/** A '%' in a tag key or value (Kinesis' second check, with its own wording). */
export function tagPercentInvalid(action: 'add tags to' | 'remove tags from', streamName: string, accountId: string): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Failed to ${action} stream ${streamName} under account ${accountId} because some tags contained illegal characters. ` +
    "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.");
}

/**
 * More than TAGS_PER_RESOURCE_MAX tags on a stream. Kinesis' wording still
 * says 10 although the quota is 50 (its answers, recorded by kinesalite).
 */
export function tooManyTags(streamName: string, accountId: string): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Failed to add tags to stream ${streamName} under account ${accountId} because a given stream cannot have more than 10 tags associated with it.`);
}

/** CreateStream with more than TAGS_PER_RESOURCE_MAX tags. */
export function tooManyCreateTags(streamName: string, accountId: string): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Failed to create stream ${streamName} under account ${accountId} because a given request cannot have more than ${limits.TAGS_PER_RESOURCE_MAX} tags.`);
}

/** A resource ARN that names no resource of the caller. */
export function resourceNotFound(arn: string): KinesisError {
  return new KinesisError('ResourceNotFoundException', `Resource ${arn} not found.`);
}

/** A retention period below RETENTION_HOURS_MIN. */
export function retentionTooShort(hours: number): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Minimum allowed retention period is ${limits.RETENTION_HOURS_MIN} hours. Requested retention period (${hours} hours) is too short.`);
}

/** A retention period above RETENTION_HOURS_MAX. */
export function retentionTooLong(hours: number): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Maximum allowed retention period is ${limits.RETENTION_HOURS_MAX} hours. Requested retention period (${hours} hours) is too long.`);
}

/** IncreaseStreamRetentionPeriod to less than the current period. */
export function retentionNotIncrease(hours: number, streamName: string, current: number): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Requested retention period (${hours} hours) for stream ${streamName} can not be shorter than existing retention period (${current} hours). ` +
    'Use DecreaseRetentionPeriod API.');
}

/** DecreaseStreamRetentionPeriod to more than the current period. */
export function retentionNotDecrease(hours: number, streamName: string, current: number): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Requested retention period (${hours} hours) for stream ${streamName} can not be longer than existing retention period (${current} hours). ` +
    'Use IncreaseRetentionPeriod API.');
}

/** A KeyId that is none of a key id, key ARN, alias name or alias ARN. */
export function kmsKeyNotFound(keyId: string): KinesisError {
  return new KinesisError('KMSNotFoundException', `Invalid keyId ${keyId}`);
}

/** Encryption without a master key configured, or records sealed under another master key. */
export function kmsAccessDenied(why: string): KinesisError {
  return new KinesisError('KMSAccessDeniedException', why);
}

/** StartStreamEncryption / StopStreamEncryption with an EncryptionType other than KMS. */
export function encryptionTypeInvalid(type: string): KinesisError {
  return new KinesisError('InvalidArgumentException', `Encryption type ${type} is not supported; the only valid EncryptionType is KMS.`);
}

/** More than KEY_ID_CHANGES_PER_DAY_MAX new KMS keys applied to a stream in 24 hours. */
export function keyIdChangesExceeded(streamName: string, accountId: string): KinesisError {
  return new KinesisError('LimitExceededException',
    `Stream ${streamName} under account ${accountId} has already had a new KMS key applied ${limits.KEY_ID_CHANGES_PER_DAY_MAX} times in the last 24 hours.`);
}

/** A setting that only ON_DEMAND streams have (record distribution strategy). */
export function onDemandOnly(what: string, streamName: string, accountId: string): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `${what} is only supported for streams in ON_DEMAND capacity mode; stream ${streamName} under account ${accountId} is PROVISIONED.`);
}

/** SequenceNumberForOrdering on a stream whose records the service places (AUTO). */
export function orderingNotApplicable(streamName: string, accountId: string): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `SequenceNumberForOrdering is not supported for stream ${streamName} under account ${accountId}: its record distribution strategy is AUTO.`);
}

/** Warm throughput in an account without the On-demand Advantage commitment. */
export function warmThroughputNeedsCommitment(accountId: string): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Warm throughput requires MinimumThroughputBillingCommitment to be enabled for the account ${accountId} (UpdateAccountSettings).`);
}

/** UpdateStreamMode to PROVISIONED while the stream's records are placed by the service. */
export function autoNeedsOnDemand(streamName: string, accountId: string): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `Stream ${streamName} under account ${accountId} uses the AUTO record distribution strategy, which only ON_DEMAND streams support; ` +
    'set it to USER_PARTITION_KEY (UpdateStreamRecordDistributionStrategy) before switching to PROVISIONED.');
}

/** A shard id that names no shard of the stream, in the control and iterator operations (ListShards, DescribeStream, GetShardIterator, SplitShard, MergeShards). */
export function shardNotFound(shardId: string, streamName: string, accountId: string): KinesisError {
  return new KinesisError('ResourceNotFoundException', `Could not find shard ${shardId} in stream ${streamName} under account ${accountId}.`);
}

/** A shard gone from the stream under a read (GetRecords, SubscribeToShard, a start position); Kinesis' wording differs from shardNotFound. */
export function shardDoesNotExist(shardId: string, streamName: string, accountId: string): KinesisError {
  return new KinesisError('ResourceNotFoundException', `Shard ${shardId} in stream ${streamName} under account ${accountId} does not exist`);
}

/** A server fault the client may retry. */
export function internalFailure(): KinesisError {
  return new KinesisError('InternalFailure', 'Internal service failure.');
}

/** No storage node could serve the request now (no leader, or every attempt failed to connect). */
export function serviceUnavailable(): KinesisError {
  return new KinesisError('ServiceUnavailable', 'Service unavailable.');
}

/** A NextToken that this server did not issue, or issued for another stream. */
export function invalidNextToken(): KinesisError {
  return new KinesisError('InvalidArgumentException', 'Invalid NextToken.');
}

/** A NextToken past its lifetime. */
export function expiredNextToken(): KinesisError {
  return new KinesisError('ExpiredNextTokenException', 'The timestamp of the NextToken has expired.');
}

/** A shard iterator that does not decode, or names another stream than the one given. */
export function invalidShardIterator(): KinesisError {
  return new KinesisError('InvalidArgumentException', 'Invalid ShardIterator.');
}

/** WarmThroughputMiBps on a PROVISIONED stream (CreateStream, UpdateStreamMode). */
export function warmThroughputNeedsOnDemand(): KinesisError {
  return new KinesisError('InvalidArgumentException', 'WarmThroughputMiBps can only be specified for streams in ON_DEMAND capacity mode.');
}

/** An AT_TIMESTAMP position later than now (GetShardIterator, SubscribeToShard). */
export function timestampInFuture(atMs: number, nowMs: number): KinesisError {
  return new KinesisError('InvalidArgumentException',
    `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${atMs}, currentTimestampInMillis: ${nowMs}`);
}

/** A control-plane call over its rate (per account, or per stream when `streamName` is given). */
export function controlRateExceeded(streamName: string | undefined, accountId: string): KinesisError {
  return new KinesisError('LimitExceededException', `Rate exceeded for ${streamName === undefined ? 'stream' : `stream ${streamName}`} under account ${accountId}.`);
}

/**
 * CreateStream: writes the stream record in CREATING; the controller
 * creates the shards and makes it ACTIVE (docs/contracts.md). Tags,
 * MaxRecordSizeInKiB and (ON_DEMAND only) WarmThroughputMiBps and
 * RecordDistributionStrategy are stored on the record as the matching
 * operations would store them. A PROVISIONED stream counts against the
 * account shard quota, an ON_DEMAND one against the ON_DEMAND stream quota.
 */
import { randomUUID } from 'node:crypto';
import { CREATE_STREAM, KinesisError, limits, type CreateStreamInput } from '@shoal/core';
import { billingCommitmentActive, type StreamRecord } from '@shoal/metadata';
import { onDemandOnly, tagPercentInvalid, tooManyCreateTags, warmThroughputNeedsCommitment, warmThroughputNeedsOnDemand } from '../kinesis-errors';
import { awaitOwnWrite, defineOperation, type OperationContext } from '../operation';
import { accountSettingsOf, checkOnDemandStreamQuota, checkShardQuota } from '../streams/account-limits';
import { streamArn } from '../streams/stream-arn';
import { checkTagText } from '../streams/tags';

/** The checks of the request's optional members (before any quota). */
function checkOptions(ctx: OperationContext, input: CreateStreamInput, mode: StreamRecord['mode']): void {
  const { accountId } = ctx.caller;
  const tags = input.Tags ?? {};
  if (Object.keys(tags).length > limits.TAGS_PER_RESOURCE_MAX) throw tooManyCreateTags(input.StreamName, accountId);
  checkTagText([...Object.keys(tags), ...Object.values(tags)], () => tagPercentInvalid('add tags to', input.StreamName, accountId));
  if (input.WarmThroughputMiBps !== undefined && mode !== 'ON_DEMAND') {
    throw warmThroughputNeedsOnDemand();
  }
  if ((input.WarmThroughputMiBps ?? 0) > 0 && !billingCommitmentActive(accountSettingsOf(ctx), ctx.now())) throw warmThroughputNeedsCommitment(accountId);
  if (input.RecordDistributionStrategy === 'AUTO' && mode !== 'ON_DEMAND') throw onDemandOnly('The record distribution strategy', input.StreamName, accountId);
}

async function execute(ctx: OperationContext, input: CreateStreamInput): Promise<Record<string, never>> {
  const { region, accountId } = ctx.caller;
  const mode = input.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
  checkOptions(ctx, input, mode);
  const shardCount = mode === 'ON_DEMAND' ? limits.ON_DEMAND_INITIAL_SHARD_COUNT : input.ShardCount!;
  if (mode === 'ON_DEMAND') checkOnDemandStreamQuota(ctx); else checkShardQuota(ctx, shardCount);
  const record: StreamRecord = {
    accountId,
    region,
    streamName: input.StreamName,
    streamId: randomUUID(),
    streamArn: streamArn(region, accountId, input.StreamName),
    status: 'CREATING',
    mode,
    initialShardCount: shardCount,
    retentionPeriodHours: limits.RETENTION_HOURS_DEFAULT,
    createdMs: ctx.now(),
    encryptionType: 'NONE',
    maxRecordSizeKiB: input.MaxRecordSizeInKiB ?? limits.RECORD_BYTES_DEFAULT_MAX / 1024,
    tags: { ...input.Tags },
    nextShardIndex: 0,
    // Pre-warms as UpdateStreamWarmThroughput does (the controller pre-splits); only ON_DEMAND streams scale, and 0 means none.
    ...((input.WarmThroughputMiBps ?? 0) > 0 ? { warmThroughputMiBps: input.WarmThroughputMiBps } : {}),
    ...(mode === 'ON_DEMAND' && input.RecordDistributionStrategy !== undefined ? { recordDistributionStrategy: input.RecordDistributionStrategy } : {}),
  };
  if (!(await ctx.metadata.createStream(record))) {
    throw new KinesisError('ResourceInUseException', `Stream ${input.StreamName} under account ${accountId} already exists.`);
  }
  await awaitOwnWrite(ctx, (view) => view.stream(record)?.value.streamId === record.streamId);
  return {};
}

export const createStream = defineOperation<CreateStreamInput>({ name: 'CreateStream', shape: CREATE_STREAM, controlPlane: true, execute });

/**
 * CreateStream: writes the stream record in CREATING; the controller
 * creates the shards and makes it ACTIVE (docs/contracts.md). Tags,
 * MaxRecordSizeInKiB and (ON_DEMAND only) WarmThroughputMiBps are stored on
 * the record as the matching Update* operations would store them.
 */
import { randomUUID } from 'node:crypto';
import { CREATE_STREAM, KinesisError, limits, type CreateStreamInput } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import { awaitOwnWrite, defineOperation, type OperationContext } from '../operation';
import { streamArn } from '../streams/stream-arn';

/** Shards the account holds now: created shards, or the planned count of streams not yet created. */
function accountShardCount(ctx: OperationContext): number {
  let sum = 0;
  for (const stream of ctx.view.streamsIn(ctx.caller)) {
    const created = ctx.view.shards.get(stream.value.streamId)?.size ?? 0;
    sum += Math.max(created, stream.value.initialShardCount);
  }
  return sum;
}

async function execute(ctx: OperationContext, input: CreateStreamInput): Promise<Record<string, never>> {
  const { region, accountId } = ctx.caller;
  const tagCount = Object.keys(input.Tags ?? {}).length;
  if (tagCount > limits.CREATE_STREAM_TAGS_MAX) {
    throw new KinesisError('InvalidArgumentException',
      `Failed to create stream ${input.StreamName} under account ${accountId} because a given request cannot have more than ${limits.CREATE_STREAM_TAGS_MAX} tags.`);
  }
  const mode = input.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
  if (input.WarmThroughputMiBps !== undefined && mode !== 'ON_DEMAND') {
    throw new KinesisError('InvalidArgumentException', 'WarmThroughputMiBps can only be specified for streams in ON_DEMAND capacity mode.');
  }
  const shardCount = mode === 'ON_DEMAND' ? limits.ON_DEMAND_INITIAL_SHARD_COUNT : input.ShardCount!;
  const current = accountShardCount(ctx);
  if (current + shardCount > limits.SHARDS_PER_ACCOUNT_DEFAULT_MAX) {
    throw new KinesisError('LimitExceededException',
      `This request would exceed the shard limit for the account ${accountId} in ${region}. Current shard count for the account: ${current}. ` +
      `Limit: ${limits.SHARDS_PER_ACCOUNT_DEFAULT_MAX}. Number of additional shards that would have resulted from this request: ${shardCount}. ` +
      'Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.');
  }
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
  };
  if (!(await ctx.metadata.createStream(record))) {
    throw new KinesisError('ResourceInUseException', `Stream ${input.StreamName} under account ${accountId} already exists.`);
  }
  await awaitOwnWrite(ctx, (view) => view.stream(record)?.value.streamId === record.streamId);
  return {};
}

export const createStream = defineOperation<CreateStreamInput>({ name: 'CreateStream', shape: CREATE_STREAM, controlPlane: true, execute });

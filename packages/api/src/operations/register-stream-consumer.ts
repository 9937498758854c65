/**
 * RegisterStreamConsumer: writes the consumer as CREATING (the controller
 * makes it ACTIVE) with Kinesis' ARN, under the per-stream limits checked
 * exactly against etcd (metadata consumer-store.ts): a duplicate name is
 * ResourceInUseException; more than the account's consumers per stream, or
 * more than CONSUMERS_CREATING_MAX creating at once, LimitExceededException.
 */
import { KinesisError, REGISTER_STREAM_CONSUMER, limits, type RegisterStreamConsumerInput } from '@shoal/core';
import type { ConsumerRecord } from '@shoal/metadata';
import { awaitOwnWrite, defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { consumerArn } from '../consumers/consumer-arn';
import { consumersPerStreamMax } from '../consumers/consumer-limits';
import { consumerSummary } from '../consumers/resolve-consumer';
import { resolveStream } from '../streams/resolve-stream';
import { controlRateExceeded, streamNotActive } from '../kinesis-errors';

async function execute(ctx: OperationContext, input: RegisterStreamConsumerInput): Promise<OperationOutput> {
  const stream = resolveStream(ctx, { StreamARN: input.StreamARN }).value;
  const { streamName, accountId } = stream;
  if (stream.status !== 'ACTIVE' && stream.status !== 'UPDATING') {
    throw streamNotActive(streamName, accountId, stream.status);
  }
  const tagCount = Object.keys(input.Tags ?? {}).length;
  if (tagCount > limits.TAGS_PER_RESOURCE_MAX) {
    throw new KinesisError('InvalidArgumentException',
      `Failed to register consumer ${input.ConsumerName} under account ${accountId} because a given request cannot have more than ${limits.TAGS_PER_RESOURCE_MAX} tags.`);
  }
  const createdMs = ctx.now();
  const record: ConsumerRecord = {
    streamId: stream.streamId, streamArn: stream.streamArn, consumerName: input.ConsumerName,
    consumerArn: consumerArn(stream.streamArn, input.ConsumerName, createdMs), status: 'CREATING', createdMs, tags: { ...input.Tags },
  };
  const max = consumersPerStreamMax(ctx.caller);
  const outcome = await ctx.metadata.consumers.registerConsumer(record, (existing) => {
    if (existing.some((c) => c.consumerName === input.ConsumerName)) return 'exists';
    if (existing.length >= max) return 'limit';
    if (existing.filter((c) => c.status === 'CREATING').length >= limits.CONSUMERS_CREATING_MAX) return 'creating';
    return undefined;
  });
  if (!outcome.ok) {
    switch (outcome.refusal) {
      case 'exists':
        throw new KinesisError('ResourceInUseException', `Consumer ${input.ConsumerName} under stream ${streamName} under account ${accountId} already exists.`);
      case 'limit':
        throw new KinesisError('LimitExceededException', `Stream ${streamName} under account ${accountId} can have at most ${max} registered consumers.`);
      case 'creating':
        throw new KinesisError('LimitExceededException',
          `Stream ${streamName} under account ${accountId} has ${limits.CONSUMERS_CREATING_MAX} consumers in CREATING state; wait for them to become ACTIVE.`);
      default:
        throw controlRateExceeded(streamName, accountId);
    }
  }
  await awaitOwnWrite(ctx, (view) => view.consumers.byConsumerArn(record.consumerArn) !== undefined);
  return { Consumer: consumerSummary(record) };
}

export const registerStreamConsumer = defineOperation<RegisterStreamConsumerInput>({
  name: 'RegisterStreamConsumer', shape: REGISTER_STREAM_CONSUMER, controlPlane: true, execute,
});

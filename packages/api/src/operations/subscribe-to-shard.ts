/**
 * SubscribeToShard: checks the consumer (ACTIVE, of the caller's account),
 * the shard and the starting position, takes a slot of this process
 * (LimitExceededException at subscriptionsMax) and the subscription claim
 * in etcd (ResourceInUseException within takeoverSec of another successful
 * SubscribeToShard for the same consumer and shard), then answers with an
 * event stream (fanout/subscription.ts). Errors found before the stream
 * starts are ordinary error responses; later ones are error events.
 */
import { randomUUID } from 'node:crypto';
import { KinesisError, SUBSCRIBE_TO_SHARD, normaliseShardId, type SubscribeToShardInput } from '@shoal/core';
import { defineOperation, type OperationContext, type StreamingOutput } from '../operation';
import { consumerByArn } from '../consumers/resolve-consumer';
import { EVENT_STREAM_CONTENT_TYPE } from '../fanout/event-stream';
import { subscriptionStartOffset } from '../fanout/start-position';
import { consumerNotActiveToSubscribe, shardDoesNotExist, subscriptionInUse } from '../kinesis-errors';
import { readableShard } from '../streams/resolve-stream';

async function execute(ctx: OperationContext, input: SubscribeToShardInput): Promise<StreamingOutput> {
  const consumer = consumerByArn(ctx, input.ConsumerARN).value;
  const stream = ctx.view.streamById(consumer.streamId)!.value;
  ctx.request.meter?.record(stream, consumer.consumerName);
  if (consumer.status !== 'ACTIVE') {
    throw consumerNotActiveToSubscribe(consumer.consumerName, consumer.createdMs, stream.streamName, ctx.caller.accountId);
  }
  const shardId = normaliseShardId(input.ShardId);
  const readable = stream.status === 'ACTIVE' || stream.status === 'UPDATING';
  const shard = readable && shardId !== undefined ? readableShard(ctx, stream, shardId) : undefined;
  if (!shard) {
    throw shardDoesNotExist(input.ShardId, stream.streamName, ctx.caller.accountId);
  }
  const startOffset = await subscriptionStartOffset(ctx, stream, shard, input.StartingPosition);
  if (input.DryRun === true) throw new KinesisError('DryRunOperationException', 'Request would have succeeded, but DryRun flag is set.');
  const fanOut = ctx.fanOut;
  if (!fanOut.reserve()) {
    throw new KinesisError('LimitExceededException', `This endpoint serves its most subscriptions (${fanOut.settings.subscriptionsMax}); retry, or use another endpoint.`);
  }
  const subscriptionId = randomUUID();
  try {
    const claimed = await ctx.metadata.consumers.claimSubscription(stream.streamId, consumer.consumerName, shard.shardId,
      { subscriptionId, apiId: fanOut.apiId, startedMs: ctx.now() }, fanOut.settings.takeoverSec);
    if (!claimed) {
      // A new subscription may take over takeoverSec after the current one started.
      throw subscriptionInUse(consumer.consumerArn);
    }
  } catch (err) {
    fanOut.release();
    throw err;
  }
  const target = {
    subscriptionId, streamId: stream.streamId, streamName: stream.streamName, consumerName: consumer.consumerName, consumerArn: consumer.consumerArn,
    shardId: shard.shardId, startOffset,
  };
  return { streaming: true, contentType: EVENT_STREAM_CONTENT_TYPE, body: (codec) => fanOut.open(target, codec) };
}

export const subscribeToShard = defineOperation<SubscribeToShardInput>({ name: 'SubscribeToShard', shape: SUBSCRIBE_TO_SHARD, controlPlane: false, execute });

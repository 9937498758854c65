/**
 * Finds the registered consumer a request names (ConsumerARN, or StreamARN
 * and ConsumerName) in the watch-backed view, within the caller's account
 * and region, and renders consumers as Kinesis' Consumer and
 * ConsumerDescription structures.
 */
import { KinesisError, type ConsumerTargetInput } from '@shoal/core';
import type { ConsumerRecord, StreamRecord, Versioned } from '@shoal/metadata';
import { authorize, enforcesPolicies, type PolicyResource } from '../auth/access-control';
import type { OperationContext, OperationOutput } from '../operation';
import { resolveStream } from '../streams/resolve-stream';
import { parseConsumerArn } from './consumer-arn';

function consumerNotFound(arnOrName: string, ctx: OperationContext): KinesisError {
  return new KinesisError('ResourceNotFoundException', `Consumer ${arnOrName} under account ${ctx.caller.accountId} not found.`);
}

/** A registered consumer as a resource-policy resource (its ARN holds its creation second, so it names one incarnation). */
export function consumerResource(consumer: ConsumerRecord, stream: StreamRecord): PolicyResource {
  return { arn: consumer.consumerArn, accountId: stream.accountId, resourceId: consumer.consumerArn };
}

/**
 * The consumer whose ARN is `arn`, registered with a stream of the caller's
 * region; ResourceNotFoundException otherwise. A consumer of another account
 * is reachable only where resource policies are enforced (--auth sigv4), and
 * then only if its policy allows the request (access-control.ts); with them
 * enforced, a Deny in the consumer's policy refuses its own account too.
 */
export function consumerByArn(ctx: OperationContext, arn: string): Versioned<ConsumerRecord> {
  const parts = parseConsumerArn(arn);
  const foreign = parts !== undefined && parts.accountId !== ctx.caller.accountId;
  if (!parts || parts.region !== ctx.caller.region || (foreign && !enforcesPolicies(ctx))) throw consumerNotFound(arn, ctx);
  const consumer = ctx.view.consumers.byConsumerArn(arn);
  const stream = consumer ? ctx.view.streamById(consumer.value.streamId)?.value : undefined;
  if (!consumer || !stream) throw consumerNotFound(arn, ctx);
  authorize(ctx, consumerResource(consumer.value, stream));
  return consumer;
}

/** The consumer of DescribeStreamConsumer / DeregisterStreamConsumer: by ConsumerARN, else by StreamARN and ConsumerName. */
export function resolveConsumer(ctx: OperationContext, input: ConsumerTargetInput): { consumer: Versioned<ConsumerRecord>; stream: StreamRecord } {
  if (input.ConsumerARN !== undefined) {
    const consumer = consumerByArn(ctx, input.ConsumerARN);
    const stream = ctx.view.streamById(consumer.value.streamId)!.value;
    if ((input.StreamARN !== undefined && input.StreamARN !== stream.streamArn) ||
      (input.ConsumerName !== undefined && input.ConsumerName !== consumer.value.consumerName)) {
      throw new KinesisError('InvalidArgumentException', `ConsumerARN ${input.ConsumerARN} does not match the StreamARN or ConsumerName given.`);
    }
    return { consumer, stream };
  }
  if (input.StreamARN === undefined || input.ConsumerName === undefined) {
    throw new KinesisError('InvalidArgumentException', 'ConsumerARN or both ConsumerName and StreamARN are required for this request.');
  }
  const stream = resolveStream(ctx, { StreamARN: input.StreamARN }).value;
  const consumer = ctx.view.consumers.get(stream.streamId, input.ConsumerName);
  if (!consumer) throw consumerNotFound(input.ConsumerName, ctx);
  authorize(ctx, consumerResource(consumer.value, stream));
  return { consumer, stream };
}

/** Kinesis' Consumer structure (RegisterStreamConsumer, ListStreamConsumers). */
export function consumerSummary(c: ConsumerRecord): OperationOutput {
  return { ConsumerName: c.consumerName, ConsumerARN: c.consumerArn, ConsumerStatus: c.status, ConsumerCreationTimestamp: new Date(c.createdMs) };
}

/** Kinesis' ConsumerDescription structure (DescribeStreamConsumer). */
export function consumerDescription(c: ConsumerRecord): OperationOutput {
  return { ...consumerSummary(c), StreamARN: c.streamArn };
}

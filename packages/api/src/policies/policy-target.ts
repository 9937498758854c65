/**
 * The resource a resource-policy operation names (ResourceARN): a stream
 * or a registered consumer. Only the owner's account may read or change a
 * resource's policy (another account gets AccessDeniedException, as in
 * AWS); a resource that does not exist is ResourceNotFoundException.
 */
import { KinesisError, streamNotFound } from '@shoal/core';
import type { PolicyResource } from '../auth/access-control';
import type { OperationContext } from '../operation';
import { consumerResource } from '../consumers/resolve-consumer';
import { parseStreamArn } from '../streams/stream-arn';
import { consumerNotActiveForPolicy, resourceNotFound } from '../kinesis-errors';

/** arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer name>:<creation epoch seconds> */
const CONSUMER_ARN = /^arn:aws[a-z-]*:kinesis:([^:]*):(\d{12}):stream\/([a-zA-Z0-9_.-]+)\/consumer\/([a-zA-Z0-9_.-]+):(\d+)$/;

function notFound(arn: string): KinesisError {
  return resourceNotFound(arn);
}

/** A registered consumer (not DELETING) as a policy resource; undefined when there is none. */
function findConsumerResource(ctx: OperationContext, consumerArn: string): PolicyResource | undefined {
  const consumer = ctx.view.consumers.byConsumerArn(consumerArn)?.value;
  const stream = consumer ? ctx.view.streamById(consumer.streamId)?.value : undefined;
  if (!consumer || !stream || consumer.status === 'DELETING') return undefined;
  return consumerResource(consumer, stream);
}

/** The resource `arn` names, owned by the caller's account; throws the Kinesis error otherwise. */
export function ownedPolicyResource(ctx: OperationContext, arn: string): PolicyResource {
  const consumer = CONSUMER_ARN.exec(arn);
  const stream = consumer ? undefined : parseStreamArn(arn);
  const accountId = consumer ? consumer[2]! : stream?.accountId;
  const region = consumer ? consumer[1]! : stream?.region;
  if (accountId === undefined || region !== ctx.caller.region) throw notFound(arn);
  if (accountId !== ctx.caller.accountId) {
    const who = ctx.caller.principalArn ?? `arn:aws:iam::${ctx.caller.accountId}:root`;
    throw new KinesisError('AccessDeniedException', `User: ${who} is not authorized to perform: kinesis:${ctx.request.operation} on resource: ${arn} because no resource-based policy allows the kinesis:${ctx.request.operation} action`);
  }
  if (consumer) {
    const found = findConsumerResource(ctx, arn);
    if (!found) throw notFound(arn);
    return found;
  }
  const record = ctx.view.stream(stream!)?.value;
  if (!record || record.streamArn !== arn || record.status === 'DELETING') throw streamNotFound(stream!.streamName, accountId);
  return { arn, accountId, resourceId: record.streamId };
}

/** Refuses a consumer still CREATING (a policy is put only on an ACTIVE one, as Kinesis does); a stream passes. */
export function refuseConsumerNotActive(ctx: OperationContext, arn: string): void {
  const consumer = ctx.view.consumers.byConsumerArn(arn)?.value;
  if (!consumer || consumer.status === 'ACTIVE') return;
  const stream = ctx.view.streamById(consumer.streamId)?.value;
  throw consumerNotActiveForPolicy(consumer.consumerName, consumer.createdMs, stream?.streamName ?? '', ctx.caller.accountId);
}

/**
 * Tags on consumer ARNs, for TagResource / UntagResource /
 * ListTagsForResource (issue 10's operations call these when the resource
 * ARN is a consumer's). The tags live on the consumer record; each change
 * is a guarded write of it, retried on the newer record when the
 * controller changed it meanwhile (CREATING -> ACTIVE).
 */
import { KinesisError, limits } from '@shoal/core';
import type { ConsumerRecord, Versioned } from '@shoal/metadata';
import { READ_YOUR_WRITE_WAIT_MS, awaitOwnWrite, type OperationContext } from '../operation';
import { parseConsumerArn } from './consumer-arn';
import { consumerByArn } from './resolve-consumer';
import { resourceNotFound } from '../kinesis-errors';

/** Attempts of a tag change when the consumer record changed between our read and write. */
const TAG_WRITE_ATTEMPTS_MAX = 3;

/** Whether `arn` has the form of a consumer ARN (else it names a stream or nothing). */
export function isConsumerArn(arn: string): boolean {
  return parseConsumerArn(arn) !== undefined;
}

/** The consumer a tag operation names; ResourceNotFoundException as the tag operations word it for any resource. */
function taggableConsumer(ctx: OperationContext, arn: string): Versioned<ConsumerRecord> {
  try {
    return consumerByArn(ctx, arn);
  } catch (err) {
    if (err instanceof KinesisError && err.type === 'ResourceNotFoundException') throw resourceNotFound(arn);
    throw err;
  }
}

/** The consumer's tags; ResourceNotFoundException for an unknown consumer. */
export function listConsumerTags(ctx: OperationContext, arn: string): Readonly<Record<string, string>> {
  return taggableConsumer(ctx, arn).value.tags;
}

/** Adds or overwrites tags; InvalidArgumentException past the 50 tags a resource may have. */
export function tagConsumer(ctx: OperationContext, arn: string, tags: Readonly<Record<string, string>>): Promise<void> {
  return changeTags(ctx, arn, (current) => {
    const next = { ...current, ...tags };
    if (Object.keys(next).length > limits.TAGS_PER_RESOURCE_MAX) {
      throw new KinesisError('InvalidArgumentException', `Failed to tag resource ${arn}: a resource can have at most ${limits.TAGS_PER_RESOURCE_MAX} tags.`);
    }
    return next;
  });
}

/** Removes tags by key (keys not present are ignored). */
export function untagConsumer(ctx: OperationContext, arn: string, keys: readonly string[]): Promise<void> {
  return changeTags(ctx, arn, (current) => Object.fromEntries(Object.entries(current).filter(([k]) => !keys.includes(k))));
}

async function changeTags(ctx: OperationContext, arn: string, change: (current: Readonly<Record<string, string>>) => Record<string, string>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const consumer = taggableConsumer(ctx, arn);
    const record: ConsumerRecord = { ...consumer.value, tags: change(consumer.value.tags) };
    if (await ctx.metadata.consumers.updateConsumer(record, consumer.modRevision)) {
      await awaitOwnWrite(ctx, (view) => view.consumers.byConsumerArn(arn)?.modRevision !== consumer.modRevision);
      return;
    }
    if (attempt >= TAG_WRITE_ATTEMPTS_MAX) throw new KinesisError('ResourceInUseException', `Consumer ${arn} is being changed; retry.`);
    await ctx.metadata.waitFor((view) => view.consumers.byConsumerArn(arn)?.modRevision !== consumer.modRevision, READ_YOUR_WRITE_WAIT_MS).catch(() => undefined);
  }
}

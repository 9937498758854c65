/** TagResource: AddTagsToStream by resource ARN, for streams and registered consumers. */
import { TAG_RESOURCE, type TagResourceInput } from '@shoal/core';
import { tagPercentInvalid, tooManyTags } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { isConsumerArn, tagConsumer } from '../consumers/consumer-tags';
import { checkTagText, resolveTaggable, withTags } from '../streams/tags';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: TagResourceInput): Promise<OperationOutput> {
  const { accountId } = ctx.caller;
  if (isConsumerArn(input.ResourceARN)) {
    checkTagText([...Object.keys(input.Tags), ...Object.values(input.Tags)], () => tagPercentInvalid('add tags to', input.ResourceARN, accountId));
    await tagConsumer(ctx, input.ResourceARN, input.Tags);
    return {};
  }
  await updateStreamSettings(ctx, () => resolveTaggable(ctx, input.ResourceARN), (s) => {
    checkTagText([...Object.keys(input.Tags), ...Object.values(input.Tags)], () => tagPercentInvalid('add tags to', s.streamName, accountId));
    return { ...s, tags: withTags(s, input.Tags, () => tooManyTags(s.streamName, accountId)) };
  });
  return {};
}

export const tagResource = defineOperation<TagResourceInput>({ name: 'TagResource', shape: TAG_RESOURCE, controlPlane: true, execute });

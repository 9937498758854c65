/** UntagResource: RemoveTagsFromStream by resource ARN, for streams and registered consumers. */
import { UNTAG_RESOURCE, type UntagResourceInput } from '@shoal/core';
import { tagPercentInvalid } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { isConsumerArn, untagConsumer } from '../consumers/consumer-tags';
import { checkTagText, resolveTaggable, withoutTags } from '../streams/tags';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: UntagResourceInput): Promise<OperationOutput> {
  if (isConsumerArn(input.ResourceARN)) {
    checkTagText(input.TagKeys, () => tagPercentInvalid('remove tags from', input.ResourceARN, ctx.caller.accountId));
    await untagConsumer(ctx, input.ResourceARN, input.TagKeys);
    return {};
  }
  await updateStreamSettings(ctx, () => resolveTaggable(ctx, input.ResourceARN), (s) => {
    checkTagText(input.TagKeys, () => tagPercentInvalid('remove tags from', s.streamName, ctx.caller.accountId));
    return { ...s, tags: withoutTags(s, input.TagKeys) };
  });
  return {};
}

export const untagResource = defineOperation<UntagResourceInput>({ name: 'UntagResource', shape: UNTAG_RESOURCE, controlPlane: true, execute });

/** TagResource: AddTagsToStream by resource ARN (stream ARNs; consumer ARNs once consumers exist). */
import { TAG_RESOURCE, type TagResourceInput } from '@shoal/core';
import { tagPercentInvalid, tooManyTags } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { checkTagText, resolveTaggable, withTags } from '../streams/tags';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: TagResourceInput): Promise<OperationOutput> {
  const { accountId } = ctx.caller;
  await updateStreamSettings(ctx, () => resolveTaggable(ctx, input.ResourceARN), (s) => {
    checkTagText([...Object.keys(input.Tags), ...Object.values(input.Tags)], () => tagPercentInvalid('add tags to', s.streamName, accountId));
    return { ...s, tags: withTags(s, input.Tags, () => tooManyTags(s.streamName, accountId)) };
  });
  return {};
}

export const tagResource = defineOperation<TagResourceInput>({ name: 'TagResource', shape: TAG_RESOURCE, controlPlane: true, execute });

/** RemoveTagsFromStream: removes tags by key; keys the stream does not have are ignored. */
import { REMOVE_TAGS_FROM_STREAM, type RemoveTagsFromStreamInput } from '@shoal/core';
import { tagPercentInvalid } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveStream } from '../streams/resolve-stream';
import { checkTagText, withoutTags } from '../streams/tags';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: RemoveTagsFromStreamInput): Promise<OperationOutput> {
  await updateStreamSettings(ctx, () => resolveStream(ctx, input), (s) => {
    checkTagText(input.TagKeys, () => tagPercentInvalid('remove tags from', s.streamName, ctx.caller.accountId));
    return { ...s, tags: withoutTags(s, input.TagKeys) };
  });
  return {};
}

export const removeTagsFromStream = defineOperation<RemoveTagsFromStreamInput>({
  name: 'RemoveTagsFromStream', shape: REMOVE_TAGS_FROM_STREAM, controlPlane: true, execute,
});

/** AddTagsToStream: sets tags on a stream (existing keys overwritten), at most 50 per stream. */
import { ADD_TAGS_TO_STREAM, type AddTagsToStreamInput } from '@shoal/core';
import { tagPercentInvalid, tooManyTags } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveStream } from '../streams/resolve-stream';
import { checkTagText, withTags } from '../streams/tags';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: AddTagsToStreamInput): Promise<OperationOutput> {
  const { accountId } = ctx.caller;
  await updateStreamSettings(ctx, () => resolveStream(ctx, input), (s) => {
    checkTagText([...Object.keys(input.Tags), ...Object.values(input.Tags)], () => tagPercentInvalid('add tags to', s.streamName, accountId));
    return { ...s, tags: withTags(s, input.Tags, () => tooManyTags(s.streamName, accountId)) };
  });
  return {};
}

export const addTagsToStream = defineOperation<AddTagsToStreamInput>({ name: 'AddTagsToStream', shape: ADD_TAGS_TO_STREAM, controlPlane: true, execute });

/** ListTagsForStream: a page of the stream's tags sorted by key, after ExclusiveStartTagKey, with HasMoreTags. */
import { LIST_TAGS_FOR_STREAM, limits, type ListTagsForStreamInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveStream } from '../streams/resolve-stream';
import { sortedTags } from '../streams/tags';

async function execute(ctx: OperationContext, input: ListTagsForStreamInput): Promise<OperationOutput> {
  const stream = resolveStream(ctx, input);
  const tags = sortedTags(stream.value.tags, input.ExclusiveStartTagKey);
  const limit = input.Limit ?? limits.LIST_TAGS_LIMIT_DEFAULT;
  return { Tags: tags.slice(0, limit), HasMoreTags: tags.length > limit };
}

export const listTagsForStream = defineOperation<ListTagsForStreamInput>({ name: 'ListTagsForStream', shape: LIST_TAGS_FOR_STREAM, controlPlane: true, execute });

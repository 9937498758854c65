/** ListTagsForResource: every tag of the resource (stream or registered consumer), sorted by key (no paging in the model). */
import { LIST_TAGS_FOR_RESOURCE, type ListTagsForResourceInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { isConsumerArn, listConsumerTags } from '../consumers/consumer-tags';
import { resolveTaggable, sortedTags } from '../streams/tags';

async function execute(ctx: OperationContext, input: ListTagsForResourceInput): Promise<OperationOutput> {
  const tags = isConsumerArn(input.ResourceARN) ? listConsumerTags(ctx, input.ResourceARN) : resolveTaggable(ctx, input.ResourceARN).value.tags;
  return { Tags: sortedTags(tags) };
}

export const listTagsForResource = defineOperation<ListTagsForResourceInput>({
  name: 'ListTagsForResource', shape: LIST_TAGS_FOR_RESOURCE, controlPlane: true, execute,
});

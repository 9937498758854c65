/** ListTagsForResource: every tag of the resource, sorted by key (no paging in the model). */
import { LIST_TAGS_FOR_RESOURCE, type ListTagsForResourceInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveTaggable, sortedTags } from '../streams/tags';

async function execute(ctx: OperationContext, input: ListTagsForResourceInput): Promise<OperationOutput> {
  return { Tags: sortedTags(resolveTaggable(ctx, input.ResourceARN).value.tags) };
}

export const listTagsForResource = defineOperation<ListTagsForResourceInput>({
  name: 'ListTagsForResource', shape: LIST_TAGS_FOR_RESOURCE, controlPlane: true, execute,
});

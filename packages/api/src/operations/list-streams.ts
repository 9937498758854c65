/**
 * ListStreams: stream names in lexicographic order, a page of Limit
 * (default 100) after ExclusiveStartStreamName or NextToken, with
 * StreamSummaries, HasMoreStreams and a NextToken when there is more.
 */
import { LIST_STREAMS, limits, type ListStreamsInput } from '@shoal/core';
import { decodeListToken, encodeListToken } from '../list-token';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { streamBasics } from '../streams/shard-description';

async function execute(ctx: OperationContext, input: ListStreamsInput): Promise<OperationOutput> {
  // Limit is valid up to 10000, but a page holds at most 100 names (documented).
  const limit = Math.min(input.Limit ?? limits.LIST_STREAMS_LIMIT_DEFAULT, limits.LIST_STREAMS_PAGE_MAX);
  let after = input.ExclusiveStartStreamName;
  if (input.NextToken !== undefined) {
    const token = decodeListToken('ListStreams', input.NextToken, ctx.iteratorKey);
    after = typeof token['after'] === 'string' ? token['after'] : undefined;
  }
  const byName = new Map(ctx.view.streamsIn(ctx.caller).map((s) => [s.value.streamName, s.value]));
  const names = [...byName.keys()].filter((n) => after === undefined || n > after).sort();
  const page = names.slice(0, limit);
  const more = names.length > limit;
  const last = page[page.length - 1];
  return {
    StreamNames: page,
    HasMoreStreams: more,
    NextToken: more && last !== undefined ? encodeListToken('ListStreams', { after: last }, ctx.iteratorKey) : undefined,
    StreamSummaries: page.map((n) => streamBasics(byName.get(n)!)),
  };
}

export const listStreams = defineOperation<ListStreamsInput>({ name: 'ListStreams', shape: LIST_STREAMS, controlPlane: true, execute });

/**
 * ListStreamConsumers: a page (MaxResults, at most
 * LIST_STREAM_CONSUMERS_PAGE_MAX) of the consumers registered with the
 * stream named by StreamARN, oldest registration first. The NextToken
 * carries the stream's id and the last consumer listed (signed, valid
 * LIST_STREAM_CONSUMERS_TOKEN_TTL_MS); a StreamCreationTimestamp that is not
 * the stream's creation time names another (deleted) stream: not found.
 */
import { KinesisError, LIST_STREAM_CONSUMERS, limits, streamNotFound, type ListStreamConsumersInput } from '@shoal/core';
import { decodeListToken, encodeListToken } from '../list-token';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { consumerSummary } from '../consumers/resolve-consumer';
import { resolveStream } from '../streams/resolve-stream';
import { expiredNextToken, invalidNextToken } from '../kinesis-errors';

const MS_PER_SEC = 1000;

interface Position {
  readonly streamId: string;
  /** The last consumer of the previous page (createdMs, name), absent on the first page. */
  readonly after?: { readonly createdMs: number; readonly name: string };
}

function positionOf(ctx: OperationContext, input: ListStreamConsumersInput, streamId: string): Position {
  if (input.NextToken === undefined) return { streamId };
  if (input.StreamCreationTimestamp !== undefined) {
    throw new KinesisError('InvalidArgumentException', 'NextToken and StreamCreationTimestamp cannot be provided together.');
  }
  const t = decodeListToken('ListStreamConsumers', input.NextToken, ctx.iteratorKey);
  if (typeof t['issuedMs'] !== 'number' || ctx.now() - t['issuedMs'] > limits.LIST_STREAM_CONSUMERS_TOKEN_TTL_MS) {
    throw expiredNextToken();
  }
  if (t['streamId'] !== streamId) throw invalidNextToken();
  return { streamId, after: { createdMs: Number(t['afterCreatedMs']), name: String(t['afterName']) } };
}

async function execute(ctx: OperationContext, input: ListStreamConsumersInput): Promise<OperationOutput> {
  const stream = resolveStream(ctx, { StreamARN: input.StreamARN }).value;
  // Kinesis compares the creation time to the second (the SDKs send epoch seconds).
  if (input.StreamCreationTimestamp !== undefined &&
    Math.floor(input.StreamCreationTimestamp / MS_PER_SEC) !== Math.floor(stream.createdMs / MS_PER_SEC)) {
    throw streamNotFound(stream.streamName, stream.accountId);
  }
  const position = positionOf(ctx, input, stream.streamId);
  const after = position.after;
  const all = ctx.view.consumers.of(stream.streamId).map((c) => c.value)
    .filter((c) => !after || c.createdMs > after.createdMs || (c.createdMs === after.createdMs && c.consumerName > after.name));
  const pageSize = Math.min(input.MaxResults ?? limits.LIST_STREAM_CONSUMERS_PAGE_MAX, limits.LIST_STREAM_CONSUMERS_PAGE_MAX);
  const page = all.slice(0, pageSize);
  const last = page[page.length - 1];
  const more = all.length > page.length && last !== undefined;
  return {
    Consumers: page.map(consumerSummary),
    NextToken: more
      ? encodeListToken('ListStreamConsumers', { streamId: stream.streamId, afterCreatedMs: last.createdMs, afterName: last.consumerName, issuedMs: ctx.now() }, ctx.iteratorKey)
      : undefined,
  };
}

export const listStreamConsumers = defineOperation<ListStreamConsumersInput>({
  name: 'ListStreamConsumers', shape: LIST_STREAM_CONSUMERS, controlPlane: true, execute,
});

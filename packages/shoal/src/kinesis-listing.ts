/**
 * Whole listings over the paginated Kinesis calls (ListStreams, ListShards,
 * ListStreamConsumers, ListTagsForStream), each bounded by LIST_PAGES_MAX
 * pages. Listings a server may not offer (consumers, tags) come back as
 * "unavailable" with the reason instead of failing the command.
 */
import {
  ListShardsCommand, ListStreamConsumersCommand, ListStreamsCommand, ListTagsForStreamCommand,
  type Consumer, type KinesisClient, type Shard, type StreamSummary, type Tag,
} from '@aws-sdk/client-kinesis';
import { errorName, isUnknownOperation } from './aws-errors';
import { LIST_PAGES_MAX } from './cli-limits';

export type Available<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The request members that name the stream: a stream ARN or a stream name. */
export function streamTarget(stream: string): { StreamName: string } | { StreamARN: string } {
  return stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream };
}

function pagesExceeded(what: string): Error {
  return new Error(`${what}: more than ${LIST_PAGES_MAX} pages; the server keeps answering with a next page`);
}

/** Every stream of the account and region, with its summary when the server gives one. */
export async function listStreams(client: KinesisClient): Promise<{ readonly name: string; readonly summary?: StreamSummary }[]> {
  const out: { name: string; summary?: StreamSummary }[] = [];
  let nextToken: string | undefined;
  let lastName: string | undefined;
  for (let page = 0; page < LIST_PAGES_MAX; page++) {
    const res = await client.send(new ListStreamsCommand(nextToken !== undefined ? { NextToken: nextToken } : lastName !== undefined ? { ExclusiveStartStreamName: lastName } : {}));
    const summaries = new Map((res.StreamSummaries ?? []).map((s) => [s.StreamName, s]));
    for (const name of res.StreamNames ?? []) {
      const summary = summaries.get(name);
      out.push(summary ? { name, summary } : { name });
    }
    if (!res.HasMoreStreams || (res.StreamNames ?? []).length === 0) return out;
    nextToken = res.NextToken;
    lastName = res.StreamNames![res.StreamNames!.length - 1];
  }
  throw pagesExceeded('ListStreams');
}

/** Every shard of the stream, open and closed, as ListShards lists them (parents before children). */
export async function listAllShards(client: KinesisClient, stream: string): Promise<Shard[]> {
  const out: Shard[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < LIST_PAGES_MAX; page++) {
    const res = await client.send(new ListShardsCommand(nextToken !== undefined ? { NextToken: nextToken } : streamTarget(stream)));
    out.push(...(res.Shards ?? []));
    nextToken = res.NextToken;
    if (nextToken === undefined || (res.Shards ?? []).length === 0) return out;
  }
  throw pagesExceeded('ListShards');
}

/** An optional listing: unavailable when the server does not know the operation or the caller may not use it. */
async function optional<T>(list: () => Promise<T>): Promise<Available<T>> {
  try {
    return { ok: true, value: await list() };
  } catch (err) {
    if (isUnknownOperation(err) || errorName(err) === 'AccessDeniedException') return { ok: false, reason: errorName(err) };
    throw err;
  }
}

/** The enhanced fan-out consumers registered with the stream. */
export function listConsumers(client: KinesisClient, streamArn: string): Promise<Available<Consumer[]>> {
  return optional(async () => {
    const out: Consumer[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < LIST_PAGES_MAX; page++) {
      const res = await client.send(new ListStreamConsumersCommand(nextToken !== undefined ? { StreamARN: streamArn, NextToken: nextToken } : { StreamARN: streamArn }));
      out.push(...(res.Consumers ?? []));
      nextToken = res.NextToken;
      if (nextToken === undefined || (res.Consumers ?? []).length === 0) return out;
    }
    throw pagesExceeded('ListStreamConsumers');
  });
}

/** The stream's tags. */
export function listTags(client: KinesisClient, stream: string): Promise<Available<Tag[]>> {
  return optional(async () => {
    const out: Tag[] = [];
    for (let page = 0; page < LIST_PAGES_MAX; page++) {
      const last = out[out.length - 1];
      const res = await client.send(new ListTagsForStreamCommand({ ...streamTarget(stream), ...(last ? { ExclusiveStartTagKey: last.Key } : {}) }));
      out.push(...(res.Tags ?? []));
      if (!res.HasMoreTags || (res.Tags ?? []).length === 0) return out;
    }
    throw pagesExceeded('ListTagsForStream');
  });
}

/**
 * ListShards: a page of a stream's shards. The first call names the stream
 * (StreamName or StreamARN, optionally ExclusiveStartShardId, ShardFilter,
 * StreamCreationTimestamp); later calls pass only the NextToken, which
 * carries the stream, position and filter (signed, valid
 * LIST_SHARDS_TOKEN_TTL_MS).
 *
 * Shard filters (the model's ShardFilterType), with the trim horizon H =
 * max(stream creation, now - retention), a shard's start its createdMs (the
 * stream's first shards: always) and its end closedMs (open: never; closed
 * before closedMs existed: unknown, counted as late):
 *   AFTER_SHARD_ID     shards with a greater index than ShardId
 *   AT_TIMESTAMP T     start <= T and (open or end >= T)
 *   FROM_TIMESTAMP T   open shards and closed ones with end >= max(T, H)
 *   AT_TRIM_HORIZON    AT_TIMESTAMP H (the shards open at the trim horizon)
 *   FROM_TRIM_HORIZON  FROM_TIMESTAMP H (every shard within retention)
 *   AT_LATEST          open shards
 * Expired shards (closed before now - retention: @shoal/metadata
 * isExpiredShard) are not listed, with a filter or without one ("This
 * action does not list expired shards"). Shard ids in requests are
 * normalised as Kinesis does (core's normaliseShardId).
 */
import { KinesisError, LIST_SHARDS, limits, normaliseShardId, shardIndexFromId, type ListShardsInput, streamNotFound } from '@shoal/core';
import { retentionHorizonMs, type ShardRecord } from '@shoal/metadata';
import { decodeListToken, encodeListToken } from '../list-token';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { listedShards, resolveStream, visibleStreamById } from '../streams/resolve-stream';
import { isOpen, shardDescription } from '../streams/shard-description';
import { expiredNextToken, shardNotFound, streamNotActive } from '../kinesis-errors';

type Filter = NonNullable<ListShardsInput['ShardFilter']>;

interface Position {
  readonly streamName: string;
  readonly streamId: string;
  readonly afterIndex: number;
  readonly filter?: Filter;
}

/** The index a request's shard id names; ResourceNotFoundException (Kinesis' text) when it names none. */
function requestedIndex(ctx: OperationContext, streamName: string, text: string): number {
  const id = normaliseShardId(text);
  if (id === undefined) throw shardNotFound(text, streamName, ctx.caller.accountId);
  return shardIndexFromId(id) ?? -1;
}

/** The token's position; the token already names stream, start and filter, so the request may not. */
function positionOfToken(ctx: OperationContext, input: ListShardsInput, token: string): Position {
  if (input.StreamName !== undefined || input.StreamARN !== undefined) {
    throw new KinesisError('InvalidArgumentException', 'NextToken and StreamName cannot be provided together.');
  }
  const conflicting = input.ExclusiveStartShardId !== undefined ? 'ExclusiveStartShardId'
    : input.ShardFilter !== undefined ? 'ShardFilter'
      : input.StreamCreationTimestamp !== undefined ? 'StreamCreationTimestamp' : undefined;
  if (conflicting !== undefined) throw new KinesisError('InvalidArgumentException', `NextToken and ${conflicting} cannot be provided together.`);
  const t = decodeListToken('ListShards', token, ctx.iteratorKey);
  if (typeof t['issuedMs'] !== 'number' || ctx.now() - t['issuedMs'] > limits.LIST_SHARDS_TOKEN_TTL_MS) {
    throw expiredNextToken();
  }
  return { streamName: String(t['streamName']), streamId: String(t['streamId']), afterIndex: Number(t['afterIndex']), filter: t['filter'] as Filter | undefined };
}

function startOf(ctx: OperationContext, input: ListShardsInput): Position {
  if (input.NextToken !== undefined) return positionOfToken(ctx, input, input.NextToken);
  if (input.StreamName === undefined && input.StreamARN === undefined) {
    throw new KinesisError('InvalidArgumentException', 'Either NextToken or StreamName should be provided.');
  }
  const stream = resolveStream(ctx, input);
  const { streamName } = stream.value;
  const created = input.StreamCreationTimestamp;
  if (created !== undefined && Math.floor(created / 1000) !== Math.floor(stream.value.createdMs / 1000)) {
    throw streamNotFound(streamName, ctx.caller.accountId);
  }
  const filter = input.ShardFilter;
  if (filter?.Type === 'AFTER_SHARD_ID') {
    if (filter.ShardId === undefined) throw new KinesisError('InvalidArgumentException', 'Must specify ShardId in ShardFilter when the ShardFilter type is AFTER_SHARD_ID.');
    requestedIndex(ctx, streamName, filter.ShardId);
  }
  if ((filter?.Type === 'AT_TIMESTAMP' || filter?.Type === 'FROM_TIMESTAMP') && filter.Timestamp === undefined) {
    throw new KinesisError('InvalidArgumentException', `Must specify Timestamp in ShardFilter when the ShardFilter type is ${filter.Type}.`);
  }
  const start = input.ExclusiveStartShardId !== undefined ? requestedIndex(ctx, streamName, input.ExclusiveStartShardId) : -1;
  return { streamName, streamId: stream.value.streamId, afterIndex: start, filter };
}

/** Open at `at`: started by then (a stream's first shards always have) and not closed before. */
function openAt(shard: ShardRecord, at: number): boolean {
  const first = shard.parentShardId === undefined && shard.adjacentParentShardId === undefined;
  return (first || shard.createdMs <= at) && endsAtOrAfter(shard, at);
}

/** Open, or closed at or after `at` (a closed shard without closedMs counts as closed late). */
function endsAtOrAfter(shard: ShardRecord, at: number): boolean {
  return isOpen(shard) || shard.closedMs === undefined || shard.closedMs >= at;
}

/** Whether `shard` passes `filter`, with the trim horizon H (above) at `horizon`. */
function passes(shard: ShardRecord, filter: Filter | undefined, horizon: number): boolean {
  if (!filter) return true;
  const at = filter.Timestamp ?? horizon;
  switch (filter.Type) {
    case 'AFTER_SHARD_ID': return shard.shardIndex > (shardIndexFromId(normaliseShardId(filter.ShardId ?? '') ?? '') ?? -1);
    case 'AT_TRIM_HORIZON': return openAt(shard, horizon);
    case 'FROM_TRIM_HORIZON': return endsAtOrAfter(shard, horizon);
    case 'AT_LATEST': return isOpen(shard);
    case 'AT_TIMESTAMP': return openAt(shard, at);
    case 'FROM_TIMESTAMP': return endsAtOrAfter(shard, Math.max(at, horizon));
  }
}

async function execute(ctx: OperationContext, input: ListShardsInput): Promise<OperationOutput> {
  const position = startOf(ctx, input);
  // By id: the stream of the token or request, in the caller's account or (by ARN, where its policy allows) another's.
  const stream = visibleStreamById(ctx, position.streamId);
  if (!stream) {
    throw streamNotFound(position.streamName, ctx.caller.accountId);
  }
  const { status } = stream;
  if (status !== 'ACTIVE' && status !== 'UPDATING') {
    throw streamNotActive(position.streamName, ctx.caller.accountId, status);
  }
  const max = Math.min(input.MaxResults ?? limits.LIST_SHARDS_MAX_RESULTS_DEFAULT, limits.LIST_SHARDS_PAGE_MAX);
  // No data older than the retention horizon is kept, nor any from before the stream.
  const horizon = Math.max(stream.createdMs, retentionHorizonMs(stream, ctx.now()));
  const matching = listedShards(ctx, stream).filter((s) => s.shardIndex > position.afterIndex && passes(s, position.filter, horizon));
  const page = matching.slice(0, max);
  const last = page[page.length - 1];
  const more = matching.length > max && last !== undefined;
  const token = more
    ? encodeListToken('ListShards', { ...position, afterIndex: last.shardIndex, issuedMs: ctx.now() }, ctx.iteratorKey)
    : undefined;
  return { Shards: page.map(shardDescription), NextToken: token };
}

export const listShards = defineOperation<ListShardsInput>({ name: 'ListShards', shape: LIST_SHARDS, controlPlane: true, execute });

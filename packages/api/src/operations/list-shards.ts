/**
 * ListShards: a page of a stream's shards. The first call names the stream
 * (StreamName or StreamARN, optionally ExclusiveStartShardId, ShardFilter,
 * StreamCreationTimestamp); later calls pass only the NextToken, which
 * carries the stream, position and filter (signed, valid
 * LIST_SHARDS_TOKEN_TTL_MS).
 *
 * Shard filters, with shards that only close by resharding:
 *   AFTER_SHARD_ID     shards with a greater index than ShardId
 *   AT_TRIM_HORIZON / FROM_TRIM_HORIZON   every shard still kept
 *   AT_LATEST          open shards
 *   AT_TIMESTAMP       shards open at Timestamp (created at or before it and
 *                      still open), else the stream's first shards
 *   FROM_TIMESTAMP     AT_TIMESTAMP's shards and every shard created after
 */
import { KinesisError, LIST_SHARDS, limits, shardIndexFromId, type ListShardsInput } from '@shoal/core';
import type { ShardRecord } from '@shoal/metadata';
import { decodeListToken, encodeListToken } from '../list-token';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveStream } from '../streams/resolve-stream';
import { isOpen, shardDescription } from '../streams/shard-description';

type Filter = NonNullable<ListShardsInput['ShardFilter']>;

interface Position {
  readonly streamName: string;
  readonly streamId: string;
  readonly afterIndex: number;
  readonly filter?: Filter;
}

function startOf(ctx: OperationContext, input: ListShardsInput): Position {
  const named = input.StreamName !== undefined || input.StreamARN !== undefined;
  if (input.NextToken !== undefined) {
    if (named) throw new KinesisError('InvalidArgumentException', 'NextToken and StreamName cannot be provided together.');
    const t = decodeListToken('ListShards', input.NextToken, ctx.iteratorKey);
    if (typeof t['issuedMs'] !== 'number' || ctx.now() - t['issuedMs'] > limits.LIST_SHARDS_TOKEN_TTL_MS) {
      throw new KinesisError('ExpiredNextTokenException', 'The timestamp of the NextToken has expired.');
    }
    return { streamName: String(t['streamName']), streamId: String(t['streamId']), afterIndex: Number(t['afterIndex']), filter: t['filter'] as Filter | undefined };
  }
  if (!named) throw new KinesisError('InvalidArgumentException', 'Either NextToken or StreamName should be provided.');
  const stream = resolveStream(ctx, input);
  const created = input.StreamCreationTimestamp;
  if (created !== undefined && Math.floor(created / 1000) !== Math.floor(stream.value.createdMs / 1000)) {
    throw new KinesisError('ResourceNotFoundException', `Stream ${stream.value.streamName} under account ${ctx.config.accountId} not found.`);
  }
  const filter = input.ShardFilter;
  if (filter?.Type === 'AFTER_SHARD_ID' && filter.ShardId === undefined) {
    throw new KinesisError('InvalidArgumentException', 'Must specify ShardId in ShardFilter when the ShardFilter type is AFTER_SHARD_ID.');
  }
  if ((filter?.Type === 'AT_TIMESTAMP' || filter?.Type === 'FROM_TIMESTAMP') && filter.Timestamp === undefined) {
    throw new KinesisError('InvalidArgumentException', `Must specify Timestamp in ShardFilter when the ShardFilter type is ${filter.Type}.`);
  }
  const start = input.ExclusiveStartShardId !== undefined ? shardIndexFromId(input.ExclusiveStartShardId) ?? -1 : -1;
  return { streamName: stream.value.streamName, streamId: stream.value.streamId, afterIndex: start, filter };
}

function passes(shard: ShardRecord, all: readonly ShardRecord[], filter: Filter | undefined): boolean {
  if (!filter) return true;
  switch (filter.Type) {
    case 'AFTER_SHARD_ID': return shard.shardIndex > (shardIndexFromId(filter.ShardId ?? '') ?? -1);
    case 'AT_TRIM_HORIZON':
    case 'FROM_TRIM_HORIZON': return true;
    case 'AT_LATEST': return isOpen(shard);
    case 'AT_TIMESTAMP':
    case 'FROM_TIMESTAMP': {
      const at = filter.Timestamp ?? 0;
      const openAt = (s: ShardRecord): boolean => s.createdMs <= at && isOpen(s);
      const anyOpenAt = all.some(openAt);
      const first = (s: ShardRecord): boolean => s.parentShardId === undefined && s.adjacentParentShardId === undefined;
      if (openAt(shard) || (!anyOpenAt && first(shard))) return true;
      return filter.Type === 'FROM_TIMESTAMP' && shard.createdMs > at;
    }
  }
}

async function execute(ctx: OperationContext, input: ListShardsInput): Promise<OperationOutput> {
  const position = startOf(ctx, input);
  const stream = ctx.view.stream(position.streamName);
  if (!stream || stream.value.streamId !== position.streamId) {
    throw new KinesisError('ResourceNotFoundException', `Stream ${position.streamName} under account ${ctx.config.accountId} not found.`);
  }
  const max = input.MaxResults ?? limits.LIST_SHARDS_MAX_RESULTS_DEFAULT;
  const all = ctx.view.shardsOf(position.streamId).map((s) => s.value);
  const matching = all.filter((s) => s.shardIndex > position.afterIndex && passes(s, all, position.filter));
  const page = matching.slice(0, max);
  const last = page[page.length - 1];
  const more = matching.length > max && last !== undefined;
  const token = more
    ? encodeListToken('ListShards', { ...position, afterIndex: last.shardIndex, issuedMs: ctx.now() }, ctx.iteratorKey)
    : undefined;
  return { Shards: page.map(shardDescription), NextToken: token };
}

export const listShards = defineOperation<ListShardsInput>({ name: 'ListShards', shape: LIST_SHARDS, controlPlane: true, execute });

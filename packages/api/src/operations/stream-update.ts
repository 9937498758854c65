/**
 * Shared steps of the operations that change a stream's shape or settings
 * (SplitShard, MergeShards, UpdateShardCount, UpdateStreamMode,
 * UpdateStreamWarmThroughput, UpdateMaxRecordSize, tags, retention,
 * encryption, monitoring): shard lookup with Kinesis' messages, and the
 * guarded stream write (a lost race means another update got there first).
 */
import { KinesisError, normaliseShardId, shardIndexFromId } from '@shoal/core';
import { isClosedShard, isClosing, type ShardRecord, type StreamRecord, type Versioned } from '@shoal/metadata';
import { shardNotFound, streamNotActive } from '../kinesis-errors';
import { awaitOwnWrite, type OperationContext } from '../operation';

/** Attempts of an update that is re-read and re-applied when another write to the stream wins the race. */
const STREAM_UPDATE_ATTEMPTS_MAX = 3;

/**
 * A request's shard id normalised as Kinesis does (shard-id.ts); one that
 * names no shard index is not found, which Kinesis answers before it looks
 * for the stream.
 */
export function requestedShardId(ctx: OperationContext, streamName: string, text: string): string {
  const id = normaliseShardId(text);
  if (id === undefined) throw shardNotFound(text, streamName, ctx.caller.accountId);
  return id;
}

/** The shard of the stream, open and not closing; Kinesis' errors otherwise. */
export function openShardOf(ctx: OperationContext, stream: StreamRecord, shardId: string): ShardRecord {
  const { accountId } = ctx.caller;
  const shard = shardIndexFromId(shardId) !== undefined ? ctx.view.shard(stream.streamId, shardId)?.value : undefined;
  if (!shard) throw shardNotFound(shardId, stream.streamName, accountId);
  if (isClosedShard(shard) || isClosing(shard)) {
    throw new KinesisError('InvalidArgumentException',
      `Shard ${shardId} in stream ${stream.streamName} under account ${accountId} has already been merged or split, and thus is not eligible for merging or splitting.`);
  }
  return shard;
}

/** Open shards of one stream. */
export function streamOpenShards(ctx: OperationContext, stream: StreamRecord): ShardRecord[] {
  return ctx.view.openShardsOf(stream.streamId);
}

/** Kinesis' control operations on an ON_DEMAND stream that only PROVISIONED streams allow. */
export function requireProvisioned(ctx: OperationContext, stream: StreamRecord, operation: string): void {
  if (stream.mode !== 'PROVISIONED') {
    throw new KinesisError('ValidationException',
      `${operation} is not supported for stream ${stream.streamName} under account ${ctx.caller.accountId} in ON_DEMAND capacity mode.`);
  }
}

/** Writes `next` if the stream is unchanged since it was read; ResourceInUseException if another update won. */
export async function commitStreamUpdate(ctx: OperationContext, stream: Versioned<StreamRecord>, next: StreamRecord): Promise<void> {
  if (!(await ctx.metadata.updateStream(next, stream.modRevision))) throw streamNotActive(next.streamName, ctx.caller.accountId, 'UPDATING');
  await awaitOwnWrite(ctx, (view) => {
    const s = view.stream(next);
    return s !== undefined && s.modRevision !== stream.modRevision;
  });
}

/**
 * Applies `change` to the stream `resolve` finds, re-reading and
 * re-applying it when another write to the stream lands first (tags and
 * settings commute with the controller's writes); `change` may throw a
 * Kinesis error to refuse. Returns the record written.
 */
export async function updateStreamSettings(ctx: OperationContext, resolve: () => Versioned<StreamRecord>,
  change: (stream: StreamRecord) => StreamRecord): Promise<StreamRecord> {
  for (let attempt = 1; ; attempt++) {
    const stream = resolve();
    const next = change(stream.value);
    if (await ctx.metadata.updateStream(next, stream.modRevision)) {
      await awaitOwnWrite(ctx, (view) => view.stream(next)?.modRevision !== stream.modRevision);
      return next;
    }
    if (attempt >= STREAM_UPDATE_ATTEMPTS_MAX) throw streamNotActive(next.streamName, ctx.caller.accountId, 'UPDATING');
    await awaitOwnWrite(ctx, (view) => view.stream(next)?.modRevision !== stream.modRevision);
  }
}

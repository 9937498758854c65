/**
 * Finds the stream a request names (StreamName or StreamARN) in the
 * watch-backed cluster view, within the caller's account and region, with
 * Kinesis' messages when it is missing or in the wrong state.
 */
import { KinesisError, streamNotFound, type StreamTarget } from '@shoal/core';
import { isExpiredShard, retentionHorizonMs, type ShardRecord, type StreamRecord, type StreamRef, type Versioned } from '@shoal/metadata';
import { streamNotActive } from '../kinesis-errors';
import type { OperationContext } from '../operation';
import { authorize, enforcesPolicies, streamResource } from '../auth/access-control';
import { parseStreamArn, streamArn } from './stream-arn';

/** The stream of the caller's account and region called `streamName`. */
export function callerStreamRef(ctx: OperationContext, streamName: string): StreamRef {
  return { accountId: ctx.caller.accountId, region: ctx.caller.region, streamName };
}

/**
 * The stream a request means; checks that name and ARN agree. An ARN names
 * its own account and region: one of another region is not found; one of
 * another account is not found unless resource policies are enforced
 * (--auth sigv4), where the stream's policy decides (access-control.ts).
 * With policies enforced, an explicit Deny in the stream's policy refuses
 * its own account too.
 */
export function targetStreamRef(ctx: OperationContext, target: StreamTarget): StreamRef {
  const { StreamName: name, StreamARN: arn } = target;
  if (arn === undefined) {
    if (name === undefined) throw new KinesisError('ValidationException', "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
    const ref = callerStreamRef(ctx, name);
    authorizeRef(ctx, ref);
    return ref;
  }
  const parts = parseStreamArn(arn);
  const foreign = parts !== undefined && parts.accountId !== ctx.caller.accountId;
  if (!parts || parts.region !== ctx.caller.region || (foreign && !enforcesPolicies(ctx))) {
    throw new KinesisError('ResourceNotFoundException', `Stream ${arn} not found.`);
  }
  if (name !== undefined && name !== parts.streamName) {
    throw new KinesisError('InvalidArgumentException', `StreamARN ${arn} does not match StreamName ${name}.`);
  }
  authorizeRef(ctx, parts);
  return parts;
}

/** Applies the stream's resource policy (when enforced); a stream that does not exist has none. */
function authorizeRef(ctx: OperationContext, ref: StreamRef): void {
  if (!enforcesPolicies(ctx)) return;
  const stream = ctx.view.stream(ref)?.value;
  authorize(ctx, stream ? streamResource(stream) : { arn: streamArn(ref.region, ref.accountId, ref.streamName), accountId: ref.accountId, resourceId: '' });
}

/**
 * A stream found by id (iterators and list tokens carry it): it must be in
 * the caller's region, and in the caller's account unless policies are
 * enforced and allow the request. Undefined when it is not visible.
 */
export function visibleStreamById(ctx: OperationContext, streamId: string): StreamRecord | undefined {
  const stream = ctx.view.streamById(streamId)?.value;
  if (!stream || stream.region !== ctx.caller.region) return undefined;
  if (stream.accountId !== ctx.caller.accountId && !enforcesPolicies(ctx)) return undefined;
  authorize(ctx, streamResource(stream));
  return stream;
}

/** The stream name a request means (see targetStreamRef). */
export function targetStreamName(ctx: OperationContext, target: StreamTarget): string {
  return targetStreamRef(ctx, target).streamName;
}

/** The stream, in any state. ResourceNotFoundException if there is none. */
export function resolveStream(ctx: OperationContext, target: StreamTarget): Versioned<StreamRecord> {
  const ref = targetStreamRef(ctx, target);
  const stream = ctx.view.stream(ref);
  if (!stream) throw streamNotFound(ref.streamName, ref.accountId);
  // A stream deleted and created again elsewhere keeps its name but not its ARN.
  if (target.StreamARN !== undefined && stream.value.streamArn !== target.StreamARN) throw streamNotFound(ref.streamName, ref.accountId);
  return stream;
}

/** The stream, which must take reads and writes (ACTIVE or UPDATING); else not found, as Kinesis answers. */
export function resolveWritableStream(ctx: OperationContext, target: StreamTarget): Versioned<StreamRecord> {
  const stream = resolveStream(ctx, target);
  if (stream.value.status !== 'ACTIVE' && stream.value.status !== 'UPDATING') throw streamNotFound(stream.value.streamName, stream.value.accountId);
  return stream;
}

/** The stream, which must be ACTIVE for a control operation; ResourceInUseException otherwise. */
export function resolveActiveStream(ctx: OperationContext, target: StreamTarget): Versioned<StreamRecord> {
  const stream = resolveStream(ctx, target);
  if (stream.value.status !== 'ACTIVE') throw streamNotActive(stream.value.streamName, stream.value.accountId, stream.value.status);
  return stream;
}

/** The stream's shards as ListShards and DescribeStream list them: all but the expired (closed before the retention horizon). */
export function listedShards(ctx: OperationContext, stream: StreamRecord): ShardRecord[] {
  const horizonMs = retentionHorizonMs(stream, ctx.now());
  return ctx.view.shardsOf(stream.streamId).map((s) => s.value).filter((s) => !isExpiredShard(s, horizonMs));
}

/**
 * The shard a read names (GetShardIterator, SubscribeToShard), unless it is
 * gone or expired: an expired shard (closed before the retention horizon)
 * is no longer readable, and the controller deletes it soon after.
 */
export function readableShard(ctx: OperationContext, stream: StreamRecord, shardId: string): ShardRecord | undefined {
  const shard = ctx.view.shard(stream.streamId, shardId)?.value;
  return shard && !isExpiredShard(shard, retentionHorizonMs(stream, ctx.now())) ? shard : undefined;
}

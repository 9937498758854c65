/**
 * Finds the stream a request names (StreamName or StreamARN) in the
 * watch-backed cluster view, within the caller's account and region, with
 * Kinesis' messages when it is missing or in the wrong state.
 */
import { KinesisError, streamNotFound, type StreamTarget } from '@shoal/core';
import type { StreamRecord, StreamRef, Versioned } from '@shoal/metadata';
import { streamNotActive } from '../kinesis-errors';
import type { OperationContext } from '../operation';
import { parseStreamArn } from './stream-arn';

/** The stream of the caller's account and region called `streamName`. */
export function callerStreamRef(ctx: OperationContext, streamName: string): StreamRef {
  return { accountId: ctx.caller.accountId, region: ctx.caller.region, streamName };
}

/**
 * The stream a request means; checks that name and ARN agree. An ARN names
 * its own account and region: one of another region is not found; one of
 * another account is not found unless cross-account access is allowed
 * (resource policies, decided by the caller of this function).
 */
export function targetStreamRef(ctx: OperationContext, target: StreamTarget): StreamRef {
  const { StreamName: name, StreamARN: arn } = target;
  if (arn === undefined) {
    if (name === undefined) throw new KinesisError('ValidationException', "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
    return callerStreamRef(ctx, name);
  }
  const parts = parseStreamArn(arn);
  if (!parts || parts.accountId !== ctx.caller.accountId || parts.region !== ctx.caller.region) {
    throw new KinesisError('ResourceNotFoundException', `Stream ${arn} not found.`);
  }
  if (name !== undefined && name !== parts.streamName) {
    throw new KinesisError('InvalidArgumentException', `StreamARN ${arn} does not match StreamName ${name}.`);
  }
  return parts;
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

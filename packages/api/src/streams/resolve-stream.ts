/**
 * Finds the stream a request names (StreamName or StreamARN) in the
 * watch-backed cluster view, with Kinesis' messages when it is missing or
 * in the wrong state.
 */
import { KinesisError, streamNotFound, type StreamTarget } from '@shoal/core';
import type { StreamRecord, Versioned } from '@shoal/metadata';
import type { OperationContext } from '../operation';
import { parseStreamArn } from './stream-arn';

/** The stream name a request means; checks that name and ARN agree and that the ARN is this account's. */
export function targetStreamName(ctx: OperationContext, target: StreamTarget): string {
  const { StreamName: name, StreamARN: arn } = target;
  if (arn === undefined) {
    if (name === undefined) throw new KinesisError('ValidationException', "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
    return name;
  }
  const parts = parseStreamArn(arn);
  if (!parts || parts.accountId !== ctx.config.accountId || parts.region !== ctx.config.region) {
    throw new KinesisError('ResourceNotFoundException', `Stream ${arn} not found.`);
  }
  if (name !== undefined && name !== parts.streamName) {
    throw new KinesisError('InvalidArgumentException', `StreamARN ${arn} does not match StreamName ${name}.`);
  }
  return parts.streamName;
}

/** The stream, in any state. ResourceNotFoundException if there is none. */
export function resolveStream(ctx: OperationContext, target: StreamTarget): Versioned<StreamRecord> {
  const name = targetStreamName(ctx, target);
  const stream = ctx.view.stream(name);
  if (!stream) throw streamNotFound(name, ctx.config.accountId);
  // A stream deleted and created again elsewhere keeps its name but not its ARN.
  if (target.StreamARN !== undefined && stream.value.streamArn !== target.StreamARN) throw streamNotFound(name, ctx.config.accountId);
  return stream;
}

/** The stream, which must take reads and writes (ACTIVE or UPDATING); else not found, as Kinesis answers. */
export function resolveWritableStream(ctx: OperationContext, target: StreamTarget): Versioned<StreamRecord> {
  const stream = resolveStream(ctx, target);
  if (stream.value.status !== 'ACTIVE' && stream.value.status !== 'UPDATING') throw streamNotFound(stream.value.streamName, ctx.config.accountId);
  return stream;
}

/** The stream, which must be ACTIVE for a control operation; ResourceInUseException otherwise. */
export function resolveActiveStream(ctx: OperationContext, target: StreamTarget): Versioned<StreamRecord> {
  const stream = resolveStream(ctx, target);
  if (stream.value.status !== 'ACTIVE') {
    const { streamName, status } = stream.value;
    throw new KinesisError('ResourceInUseException', `Stream ${streamName} under account ${ctx.config.accountId} not ACTIVE, instead in state ${status}`);
  }
  return stream;
}

/**
 * DeleteStream: marks the stream DELETING (guarded by the revision read);
 * the controller removes its registered consumers, its shards and then the
 * stream record. As Kinesis does, a stream may be deleted while it is still
 * being created (or updated); only one already DELETING is refused. A stream
 * with registered consumers is deleted only with EnforceConsumerDeletion
 * (ResourceInUseException otherwise, as Kinesis). The stream's resource
 * policy is deleted with it.
 */
import { DELETE_STREAM, KinesisError, type DeleteStreamInput } from '@shoal/core';
import { awaitOwnWrite, defineOperation, type OperationContext } from '../operation';
import { streamNotActive } from '../kinesis-errors';
import { resolveStream } from '../streams/resolve-stream';

async function execute(ctx: OperationContext, input: DeleteStreamInput): Promise<Record<string, never>> {
  const stream = resolveStream(ctx, input);
  if (stream.value.status === 'DELETING') throw streamNotActive(stream.value.streamName, ctx.caller.accountId, 'DELETING');
  if (input.EnforceConsumerDeletion !== true && ctx.view.consumers.of(stream.value.streamId).length > 0) {
    throw new KinesisError('ResourceInUseException',
      `Stream ${stream.value.streamName} under account ${ctx.caller.accountId} has registered consumers; deregister them or set EnforceConsumerDeletion.`);
  }
  const ok = await ctx.metadata.updateStream({ ...stream.value, status: 'DELETING' }, stream.modRevision);
  if (!ok) {
    // Someone changed the stream between our read and write (another delete, the controller).
    throw new KinesisError('ResourceInUseException', `Stream ${stream.value.streamName} under account ${ctx.caller.accountId} is being changed; retry.`);
  }
  const { streamId, streamArn } = stream.value;
  // The stream's resource policy goes with it (a policy applies only to the stream it was put on anyway).
  if (ctx.view.policies.get(streamArn)?.value.resourceId === streamId) await ctx.metadata.deleteResourcePolicy(streamArn);
  await awaitOwnWrite(ctx, (view) => {
    const now = view.stream(stream.value)?.value;
    return now === undefined || now.streamId !== streamId || now.status === 'DELETING';
  });
  return {};
}

export const deleteStream = defineOperation<DeleteStreamInput>({ name: 'DeleteStream', shape: DELETE_STREAM, controlPlane: true, execute });

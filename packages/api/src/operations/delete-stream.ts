/**
 * DeleteStream: marks the stream DELETING (guarded by the revision read);
 * the controller removes its registered consumers, its shards and then the
 * stream record. As Kinesis does, a stream may be deleted while it is still
 * being created (or updated); only one already DELETING is refused. A write
 * that lands first (the controller making a CREATING stream ACTIVE, a tag or
 * settings change) is re-read and the delete re-applied, never refused. A
 * stream with registered consumers is deleted only with
 * EnforceConsumerDeletion (ResourceInUseException otherwise, as Kinesis).
 * The stream's resource policy is deleted with it.
 */
import { DELETE_STREAM, type DeleteStreamInput } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import { defineOperation, type OperationContext } from '../operation';
import { streamHasConsumers, streamNotActive } from '../kinesis-errors';
import { resolveStream } from '../streams/resolve-stream';
import { updateStreamSettings } from './stream-update';

async function execute(ctx: OperationContext, input: DeleteStreamInput): Promise<Record<string, never>> {
  const { accountId } = ctx.caller;
  const deleting = await updateStreamSettings(ctx, () => resolveStream(ctx, input), (s): StreamRecord => {
    if (s.status === 'DELETING') throw streamNotActive(s.streamName, accountId, 'DELETING');
    if (input.EnforceConsumerDeletion !== true && ctx.view.consumers.of(s.streamId).length > 0) {
      throw streamHasConsumers(s.streamName, accountId);
    }
    return { ...s, status: 'DELETING' };
  });
  const { streamId, streamArn } = deleting;
  // The stream's resource policy goes with it (a policy applies only to the stream it was put on anyway).
  if (ctx.view.policies.get(streamArn)?.value.resourceId === streamId) await ctx.metadata.deleteResourcePolicy(streamArn);
  return {};
}

export const deleteStream = defineOperation<DeleteStreamInput>({ name: 'DeleteStream', shape: DELETE_STREAM, controlPlane: true, execute });

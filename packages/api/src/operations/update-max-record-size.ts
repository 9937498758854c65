/**
 * UpdateMaxRecordSize: the largest record (data + partition key) the
 * stream takes, 1024..10240 KiB. Every limit on the write and read path
 * allows 10 MiB records (docs/resharding.md, "Large records").
 */
import { UPDATE_MAX_RECORD_SIZE, type UpdateMaxRecordSizeInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { commitStreamUpdate } from './stream-update';

async function execute(ctx: OperationContext, input: UpdateMaxRecordSizeInput): Promise<OperationOutput> {
  const stream = resolveActiveStream(ctx, input);
  await commitStreamUpdate(ctx, stream, { ...stream.value, maxRecordSizeKiB: input.MaxRecordSizeInKiB });
  return {};
}

export const updateMaxRecordSize = defineOperation<UpdateMaxRecordSizeInput>({
  name: 'UpdateMaxRecordSize', shape: UPDATE_MAX_RECORD_SIZE, controlPlane: true, execute,
});

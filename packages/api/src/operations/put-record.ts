/**
 * PutRecord: one record, routed by MD5(PartitionKey) or ExplicitHashKey.
 * SequenceNumberForOrdering is validated by pattern; ordering within a
 * shard already holds because a shard leader assigns offsets in arrival order.
 */
import { KinesisError, PUT_RECORD, type PutRecordInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { putEntries } from '../storage/put-entries';
import { resolveWritableStream } from '../streams/resolve-stream';

async function execute(ctx: OperationContext, input: PutRecordInput): Promise<OperationOutput> {
  const stream = resolveWritableStream(ctx, input);
  const [result] = await putEntries(ctx, stream.value, [{ partitionKey: input.PartitionKey, explicitHashKey: input.ExplicitHashKey, data: input.Data }], 'PutRecord');
  if (!result) throw new Error('no result for the record');
  if (!result.ok) throw new KinesisError(result.errorType, result.message);
  return { ShardId: result.shardId, SequenceNumber: result.sequenceNumber, EncryptionType: stream.value.encryptionType };
}

export const putRecord = defineOperation<PutRecordInput>({ name: 'PutRecord', shape: PUT_RECORD, controlPlane: false, execute });

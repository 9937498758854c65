/**
 * PutRecord: one record, routed by MD5(PartitionKey) or ExplicitHashKey
 * (or placed by the service on an AUTO-distribution stream, where the
 * partition key may be left out). SequenceNumberForOrdering must be a
 * sequence number Kinesis would accept (not one from the future), and is
 * refused on AUTO streams, as Kinesis documents; ordering within a shard
 * already holds because a shard leader assigns offsets in arrival order.
 */
import { KinesisError, PUT_RECORD, parseSequenceNumber, type PutRecordInput, type Shape } from '@shoal/core';
import { orderingNotApplicable } from '../kinesis-errors';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { putEntries } from '../storage/put-entries';
import { putShapes } from '../streams/record-distribution';
import { resolveWritableStream } from '../streams/resolve-stream';

/**
 * How far in the future (by this process' clock) a SequenceNumberForOrdering
 * may say its record arrived: arrival times come from the shard leaders'
 * clocks, which may run ahead of this one.
 */
const ORDERING_CLOCK_SKEW_MS_MAX = 60_000;

function checkOrdering(ctx: OperationContext, input: PutRecordInput, streamName: string, auto: boolean): void {
  const text = input.SequenceNumberForOrdering;
  if (text === undefined) return;
  if (auto) throw orderingNotApplicable(streamName, ctx.caller.accountId);
  const parsed = parseSequenceNumber(text);
  if (!parsed || parsed.arrivalSecs * 1000 > ctx.now() + ORDERING_CLOCK_SKEW_MS_MAX) {
    throw new KinesisError('InvalidArgumentException',
      `ExclusiveMinimumSequenceNumber ${text} used in PutRecord on stream ${streamName} under account ${ctx.caller.accountId} is invalid.`);
  }
}

async function execute(ctx: OperationContext, input: PutRecordInput): Promise<OperationOutput> {
  const stream = resolveWritableStream(ctx, input);
  ctx.request.meter?.record(stream.value);
  checkOrdering(ctx, input, stream.value.streamName, stream.value.recordDistributionStrategy === 'AUTO');
  const [result] = await putEntries(ctx, stream.value, [{ partitionKey: input.PartitionKey, explicitHashKey: input.ExplicitHashKey, data: input.Data }], 'PutRecord');
  if (!result) throw new Error('no result for the record');
  if (!result.ok) throw new KinesisError(result.errorType, result.message);
  // Kinesis names the encryption only when the record was encrypted.
  return { ShardId: result.shardId, SequenceNumber: result.sequenceNumber, EncryptionType: stream.value.encryptionType === 'KMS' ? 'KMS' : undefined };
}

export const putRecord = defineOperation<PutRecordInput>({
  name: 'PutRecord', shape: PUT_RECORD, controlPlane: false, execute,
  shapeFor: (ctx, raw): Shape => putShapes(ctx, raw).putRecord,
});

/**
 * PutRecords: up to PUT_RECORDS_COUNT_MAX records and PUT_RECORDS_BYTES_MAX
 * bytes (data + partition keys). Records that fail are reported per record
 * (ErrorCode, ErrorMessage) in request order; FailedRecordCount counts them.
 */
import { KinesisError, PUT_RECORDS, limits, type PutRecordsInput, type Shape } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { putEntries } from '../storage/put-entries';
import { putShapes } from '../streams/record-distribution';
import { resolveWritableStream } from '../streams/resolve-stream';

async function execute(ctx: OperationContext, input: PutRecordsInput): Promise<OperationOutput> {
  const stream = resolveWritableStream(ctx, input);
  ctx.request.meter?.record(stream.value);
  let total = 0;
  for (const r of input.Records) total += r.Data.length + (r.PartitionKey === undefined ? 0 : Buffer.byteLength(r.PartitionKey, 'utf8'));
  // 10 MiB for every stream, whatever its record size (current Kinesis docs).
  const requestMax = limits.PUT_RECORDS_BYTES_MAX;
  if (total > requestMax) {
    throw new KinesisError('InvalidArgumentException',
      `Records size exceeds ${requestMax / (1024 * 1024)} MB limit (request size: ${total} bytes).`);
  }
  const results = await putEntries(ctx, stream.value, input.Records.map((r) => ({
    partitionKey: r.PartitionKey, explicitHashKey: r.ExplicitHashKey, data: r.Data,
  })), 'PutRecords');
  let failed = 0;
  const records = results.map((r) => {
    if (r.ok) return { ShardId: r.shardId, SequenceNumber: r.sequenceNumber };
    failed++;
    // Per-record codes are only these two in Kinesis' model.
    const code = r.errorType === 'ProvisionedThroughputExceededException' ? r.errorType : 'InternalFailure';
    return { ErrorCode: code, ErrorMessage: r.message };
  });
  const throttled = records.filter((r) => r.ErrorCode === 'ProvisionedThroughputExceededException').length;
  ctx.metrics.recordPutRecords(stream.value, { total: results.length, successful: results.length - failed, throttled, failed: failed - throttled });
  // Kinesis names the encryption only when the records were encrypted.
  return { FailedRecordCount: failed, Records: records, EncryptionType: stream.value.encryptionType === 'KMS' ? 'KMS' : undefined };
}

export const putRecords = defineOperation<PutRecordsInput>({
  name: 'PutRecords', shape: PUT_RECORDS, controlPlane: false, execute,
  shapeFor: (ctx, raw): Shape => putShapes(ctx, raw).putRecords,
});

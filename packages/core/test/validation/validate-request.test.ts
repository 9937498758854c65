import assert from 'node:assert/strict';
import { KinesisError } from '../../src/errors';
import {
  CREATE_STREAM, DESCRIBE_STREAM, GET_RECORDS, GET_SHARD_ITERATOR, LIST_SHARDS, PUT_RECORD, PUT_RECORDS,
  type CreateStreamInput, type PutRecordsInput,
} from '../../src/validation/request-shapes';
import { validateRequest } from '../../src/validation/validate-request';
import type { Shape } from '../../src/validation/shape';

function fails(shape: Shape, body: unknown, type: string, message: string): void {
  assert.throws(() => validateRequest(shape, body, 'seconds'), (err: unknown) => {
    assert.ok(err instanceof KinesisError);
    assert.equal(err.type, type);
    assert.equal(err.message, message);
    return true;
  });
}

const NULL_STREAM_NAME = "Value null at 'streamName' failed to satisfy constraint: Member must not be null";

describe('validateRequest: types (SerializationException)', () => {
  it('rejects a number where a string belongs', () => {
    fails(DESCRIBE_STREAM, { StreamName: 5 }, 'SerializationException',
      'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String');
  });
  it('rejects a string, a boolean, a list and a map where an integer belongs', () => {
    fails(CREATE_STREAM, { ShardCount: '1' }, 'SerializationException', 'class java.lang.String can not be converted to an Integer');
    fails(CREATE_STREAM, { ShardCount: true }, 'SerializationException', 'class java.lang.Boolean can not be converted to an Integer');
    fails(CREATE_STREAM, { ShardCount: [] }, 'SerializationException', 'Start of list found where not expected');
    fails(CREATE_STREAM, { ShardCount: {} }, 'SerializationException', 'Start of structure or map found where not expected.');
  });
  it('rejects a body that is not an object', () => {
    fails(DESCRIBE_STREAM, [], 'SerializationException', 'Start of list found where not expected');
    fails(DESCRIBE_STREAM, 'x', 'SerializationException', 'Expected a structure');
  });
  it('rejects a non-list Records', () => {
    fails(PUT_RECORDS, { Records: 'a' }, 'SerializationException', 'Expected list or null');
    fails(PUT_RECORDS, { Records: {} }, 'SerializationException', 'Start of structure or map found where not expected.');
  });
  it('rejects bad base64 as Kinesis does', () => {
    fails(PUT_RECORD, { Data: 'abc' }, 'SerializationException',
      "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3");
    fails(PUT_RECORD, { Data: 'ab!d' }, 'SerializationException', "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'");
    fails(PUT_RECORD, { Data: 'a=bc' }, 'SerializationException', "'a=bc' can not be converted to a Blob: Invalid Base64 character: '='");
    fails(PUT_RECORD, { Data: 'YR==' }, 'SerializationException', "'YR==' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
  });
  it('reports the first type error in shape order, nested in lists', () => {
    fails(PUT_RECORDS, { StreamName: 1, Records: [{ PartitionKey: 'a', Data: 5 }] }, 'SerializationException',
      'class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob');
  });
  it('rejects a string timestamp', () => {
    fails(GET_SHARD_ITERATOR, { Timestamp: 'now' }, 'SerializationException', 'class java.lang.String can not be converted to milliseconds since epoch');
  });
});

describe('validateRequest: constraints (ValidationException)', () => {
  it('reports a missing stream name', () => {
    fails(DESCRIBE_STREAM, {}, 'ValidationException', `1 validation error detected: ${NULL_STREAM_NAME}`);
  });
  it('accepts StreamARN in place of StreamName', () => {
    const v = validateRequest<{ StreamARN: string }>(DESCRIBE_STREAM, { StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' }, 'seconds');
    assert.equal(v.StreamARN, 'arn:aws:kinesis:us-east-1:000000000000:stream/s');
  });
  it('lists several violations in Kinesis order', () => {
    fails(CREATE_STREAM, { ShardCount: 0 }, 'ValidationException',
      "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
      NULL_STREAM_NAME);
  });
  it('truncates and clamps integers before checking', () => {
    // The model has no upper bound on ShardCount: the clamped value passes validation (the quota check rejects it later).
    assert.equal(validateRequest<CreateStreamInput>(CREATE_STREAM, { ShardCount: 1e12, StreamName: 'a' }, 'seconds').ShardCount, 2147483647);
    const v = validateRequest<CreateStreamInput>(CREATE_STREAM, { ShardCount: 1.9, StreamName: 'a' }, 'seconds');
    assert.equal(v.ShardCount, 1);
  });
  it('needs ShardCount only for PROVISIONED streams', () => {
    fails(CREATE_STREAM, { StreamName: 'a' }, 'ValidationException',
      "1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: Member must not be null");
    const v = validateRequest<CreateStreamInput>(CREATE_STREAM, { StreamName: 'a', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }, 'seconds');
    assert.equal(v.StreamModeDetails?.StreamMode, 'ON_DEMAND');
  });
  it('checks pattern and length of stream names (128 ok, 129 not)', () => {
    fails(DESCRIBE_STREAM, { StreamName: 'a b' }, 'ValidationException',
      "1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    validateRequest(DESCRIBE_STREAM, { StreamName: 'a'.repeat(128) }, 'seconds');
    fails(DESCRIBE_STREAM, { StreamName: 'a'.repeat(129) }, 'ValidationException',
      `1 validation error detected: Value '${'a'.repeat(129)}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`);
  });
  it('reports both pattern and length for an empty name', () => {
    fails(DESCRIBE_STREAM, { StreamName: '' }, 'ValidationException',
      "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
      "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });
  it('counts partition key length in characters (256 ok, 257 not, empty not)', () => {
    validateRequest(PUT_RECORD, { StreamName: 's', PartitionKey: 'é'.repeat(256), Data: '' }, 'seconds');
    fails(PUT_RECORD, { StreamName: 's', PartitionKey: 'é'.repeat(257), Data: '' }, 'ValidationException',
      `1 validation error detected: Value '${'é'.repeat(257)}' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256`);
    fails(PUT_RECORD, { StreamName: 's', PartitionKey: '', Data: '' }, 'ValidationException',
      "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });
  it('checks explicit hash keys and sequence numbers against the model patterns', () => {
    fails(PUT_RECORD, { StreamName: 's', PartitionKey: 'k', Data: '', ExplicitHashKey: 'x', SequenceNumberForOrdering: '01' }, 'ValidationException',
      "2 validation errors detected: Value '01' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); " +
      "Value 'x' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
  });
  it('decodes Data to a Buffer once', () => {
    const v = validateRequest<PutRecordsInput>(PUT_RECORDS, { StreamName: 's', Records: [{ PartitionKey: 'k', Data: 'aGk=' }] }, 'seconds');
    assert.deepEqual(v.Records[0]!.Data, Buffer.from('hi'));
  });
  it('checks PutRecords counts: 0 and 501 fail, items are numbered from 1', () => {
    const item = 'com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310';
    fails(PUT_RECORDS, { StreamName: 's', Records: [] }, 'ValidationException',
      "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const many = Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: '' }));
    assert.throws(() => validateRequest(PUT_RECORDS, { StreamName: 's', Records: many }, 'seconds'),
      (e: unknown) => e instanceof KinesisError && e.message.includes(`[${item}, ${item}`) && e.message.endsWith('Member must have length less than or equal to 500'));
    fails(PUT_RECORDS, { StreamName: 's', Records: [{ PartitionKey: 'k', Data: '' }, { Data: '' }] }, 'ValidationException',
      "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to satisfy constraint: Member must not be null");
  });
  it('names the place of every failing member of several items, in order, and nothing for the ones that pass', () => {
    fails(PUT_RECORDS, {
      Records: [{ PartitionKey: 'k', Data: '' }, { PartitionKey: '', Data: '' }, { PartitionKey: 'k', Data: '' }, { PartitionKey: 'k', Data: '', ExplicitHashKey: 'x' }],
    }, 'ValidationException',
    '3 validation errors detected: ' +
      "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value 'x' at 'records.4.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
      "Value null at 'streamName' failed to satisfy constraint: Member must not be null");
  });
  it('prints blobs as Java byte buffers', () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64');
    fails(PUT_RECORD, { StreamName: 's', PartitionKey: 'k', Data: big }, 'ValidationException',
      "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 10485760");
  });
  it('stops after 10 clauses', () => {
    const records = Array.from({ length: 20 }, () => ({}));
    assert.throws(() => validateRequest(PUT_RECORDS, { Records: records }, 'seconds'),
      (e: unknown) => e instanceof KinesisError && e.message.startsWith('10 validation errors detected: '));
  });
  it('checks enums and Limit bounds (0 and 10001 fail, 10000 ok)', () => {
    fails(GET_SHARD_ITERATOR, { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'X' }, 'ValidationException',
      "1 validation error detected: Value 'X' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
    fails(GET_RECORDS, { ShardIterator: 'x', Limit: 0 }, 'ValidationException',
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    fails(GET_RECORDS, { ShardIterator: 'x', Limit: 10001 }, 'ValidationException',
      "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000");
    validateRequest(GET_RECORDS, { ShardIterator: 'x', Limit: 10000 }, 'seconds');
  });
  it('checks nested structures with dotted paths and converts timestamps to ms', () => {
    fails(LIST_SHARDS, { StreamName: 's', ShardFilter: {} }, 'ValidationException',
      "1 validation error detected: Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null");
    const v = validateRequest<{ ShardFilter: { Timestamp: number } }>(LIST_SHARDS, { ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: 1.5 } }, 'seconds');
    assert.equal(v.ShardFilter.Timestamp, 1500);
  });
  it('ignores unknown members and nulls', () => {
    const v = validateRequest<Record<string, unknown>>(DESCRIBE_STREAM, { StreamName: 's', Foo: 1, Limit: null }, 'seconds');
    assert.deepEqual(v, { StreamName: 's' });
  });
});

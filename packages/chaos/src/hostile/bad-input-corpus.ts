/**
 * The bad-input corpus (BAD-INPUT.md in the design notes): each case is one
 * raw Kinesis request and the answer Kinesis gives it (HTTP status and/or
 * error type and a part of the message). Pure data; the hostile client
 * sends them over HTTP/1.1 and HTTP/2 while the workload writes.
 */
import type { ExpectedAnswer } from '../history/robustness-format';

export const TARGET_PREFIX = 'Kinesis_20131202.';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface RawRequest {
  /** Headers beside content-type / x-amz-target (e.g. a huge one). */
  readonly headers?: Readonly<Record<string, string>>;
  /** X-Amz-Target; null = the header is left out. */
  readonly target: string | null;
  readonly contentType?: string;
  readonly body: string | Buffer;
  /** HTTP/1.1 only (e.g. a 431 for headers over 16 KiB is an HTTP/1.1 parser answer). */
  readonly http1Only?: boolean;
}

export interface BadInputCase {
  readonly name: string;
  readonly request: RawRequest;
  readonly expected: ExpectedAnswer;
}

const SERIALIZATION: ExpectedAnswer = { status: 400, type: 'SerializationException' };
const VALIDATION: ExpectedAnswer = { status: 400, type: 'ValidationException' };
const INVALID_ARGUMENT: ExpectedAnswer = { status: 400, type: 'InvalidArgumentException' };

function call(op: string, body: unknown): RawRequest {
  return { target: TARGET_PREFIX + op, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Every case, against stream `stream` (which exists) and its first shard `shardId`. */
export function badInputCorpus(stream: string, shardId: string): BadInputCase[] {
  const put = (extra: Record<string, unknown>): RawRequest => call('PutRecord', { StreamName: stream, PartitionKey: 'hostile', Data: b64('x'), ...extra });
  const iteratorOf = (extra: Record<string, unknown>): RawRequest => call('GetShardIterator', { StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON', ...extra });
  return [
    { name: 'malformed-json', request: call('PutRecord', '{"StreamName": "x", '), expected: SERIALIZATION },
    { name: 'wrong-json-type', request: call('PutRecord', { StreamName: 123, PartitionKey: 'k', Data: b64('x') }), expected: SERIALIZATION },
    { name: 'missing-members', request: call('PutRecord', {}), expected: { ...VALIDATION, messageIncludes: "Value null at 'streamName' failed to satisfy constraint: Member must not be null" } },
    { name: 'unknown-operation', request: call('NoSuchOperation', {}), expected: { status: 400, type: 'UnknownOperationException' } },
    { name: 'missing-target', request: { target: null, body: '{}' }, expected: { status: 400, type: 'UnknownOperationException' } },
    { name: 'wrong-service-prefix', request: { target: 'DynamoDB_20120810.PutItem', body: '{}' }, expected: { status: 400, type: 'UnknownOperationException' } },
    { name: 'wrong-content-type', request: { ...put({}), contentType: 'text/plain' }, expected: { statusClass: 4 } },
    { name: 'data-not-base64', request: put({ Data: '!!not base64!!' }), expected: SERIALIZATION },
    { name: 'empty-partition-key', request: put({ PartitionKey: '' }), expected: { ...VALIDATION, messageIncludes: 'Member must have length greater than or equal to 1' } },
    { name: 'partition-key-257-chars', request: put({ PartitionKey: 'é'.repeat(257) }), expected: { ...VALIDATION, messageIncludes: 'Member must have length less than or equal to 256' } },
    { name: 'record-over-max-size', request: put({ Data: Buffer.alloc(1024 * 1024 + 1).toString('base64') }), expected: VALIDATION },
    { name: 'explicit-hash-key-2^128', request: put({ ExplicitHashKey: (2n ** 128n).toString() }), expected: { ...INVALID_ARGUMENT, messageIncludes: 'must be in the range: [0, 2^128-1]' } },
    { name: 'explicit-hash-key-not-a-number', request: put({ ExplicitHashKey: 'abc' }), expected: VALIDATION },
    { name: 'sequence-number-for-ordering-not-a-number', request: put({ SequenceNumberForOrdering: 'abc' }), expected: VALIDATION },
    { name: 'unknown-stream', request: call('PutRecord', { StreamName: 'hostile-no-such-stream', PartitionKey: 'k', Data: b64('x') }), expected: { status: 400, type: 'ResourceNotFoundException', messageIncludes: 'Stream hostile-no-such-stream under account' } },
    { name: 'put-records-empty', request: call('PutRecords', { StreamName: stream, Records: [] }), expected: VALIDATION },
    { name: 'put-records-501', request: call('PutRecords', { StreamName: stream, Records: Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: b64('x') })) }), expected: VALIDATION },
    { name: 'stream-name-bad-characters', request: call('DescribeStreamSummary', { StreamName: 'bad name!' }), expected: VALIDATION },
    { name: 'stream-name-129-chars', request: call('DescribeStreamSummary', { StreamName: 's'.repeat(129) }), expected: VALIDATION },
    { name: 'forged-iterator', request: call('GetRecords', { ShardIterator: 'AAAAAAAAAAGx3Vd9bGVuZ3RoIG9mIHRoaXMgaXMgZm9yZ2Vk' }), expected: INVALID_ARGUMENT },
    { name: 'get-records-limit-0', request: call('GetRecords', { ShardIterator: 'AAAA', Limit: 0 }), expected: VALIDATION },
    { name: 'get-records-limit-10001', request: call('GetRecords', { ShardIterator: 'AAAA', Limit: 10001 }), expected: VALIDATION },
    { name: 'iterator-unknown-shard', request: iteratorOf({ ShardId: 'shardId-000000009999' }), expected: { status: 400, type: 'ResourceNotFoundException' } },
    { name: 'iterator-unknown-type', request: iteratorOf({ ShardIteratorType: 'SIDEWAYS' }), expected: VALIDATION },
    { name: 'iterator-at-sequence-without-number', request: iteratorOf({ ShardIteratorType: 'AT_SEQUENCE_NUMBER' }), expected: INVALID_ARGUMENT },
    { name: 'iterator-starting-sequence-not-a-number', request: iteratorOf({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: 'abc' }), expected: VALIDATION },
    { name: 'unknown-extra-fields-ignored', request: call('DescribeStreamSummary', { StreamName: stream, NoSuchField: { nested: [1, 2] } }), expected: { status: 200 } },
    { name: 'headers-over-16KiB', request: { ...call('DescribeStreamSummary', { StreamName: stream }), headers: { 'x-hostile-padding': 'p'.repeat(17 * 1024) }, http1Only: true }, expected: { status: 431 } },
    { name: 'body-over-request-limit', request: call('PutRecords', `{"StreamName":"${stream}","Records":[{"PartitionKey":"k","Data":"${'A'.repeat(17 * 1024 * 1024)}"}]}`), expected: { status: 413 } },
  ];
}

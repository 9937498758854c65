import { strict as assert } from 'node:assert';
import { errorLine, errorName, isRetriable, isUnknownOperation, unreachableCode } from '../src/aws-errors';
import { isLoopbackEndpoint } from '../src/kinesis-client';

const sdkError = (name: string, message: string, status?: number): Error =>
  Object.assign(new Error(message), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });

describe('aws errors', () => {
  it('names errors and spots UnknownOperationException', () => {
    assert.equal(errorName(sdkError('ResourceNotFoundException', 'x')), 'ResourceNotFoundException');
    assert.equal(errorName('text'), 'Error');
    assert.ok(isUnknownOperation(sdkError('UnknownOperationException', '')));
    assert.ok(!isUnknownOperation(sdkError('ResourceNotFoundException', '')));
  });

  it('retries throttling, server errors and socket failures, not client errors', () => {
    assert.ok(isRetriable(sdkError('ProvisionedThroughputExceededException', 'Rate exceeded', 400)));
    assert.ok(isRetriable(sdkError('InternalFailure', '', 500)));
    assert.ok(isRetriable(sdkError('SomethingNew', '', 503)));
    assert.ok(isRetriable(Object.assign(new Error('canceled'), { code: 'ERR_HTTP2_STREAM_CANCEL' })));
    assert.ok(!isRetriable(sdkError('ResourceNotFoundException', '', 400)));
    assert.ok(!isRetriable(sdkError('ValidationException', '', 400)));
  });

  it('finds an unreachable endpoint in the error or its cause', () => {
    const refused = Object.assign(new Error('The pending stream has been canceled'), { code: 'ERR_HTTP2_STREAM_CANCEL', cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    assert.equal(unreachableCode(refused), 'ECONNREFUSED');
    assert.equal(unreachableCode(sdkError('InternalFailure', '')), undefined);
  });

  it('prints name and message once', () => {
    assert.equal(errorLine(sdkError('ResourceNotFoundException', 'Stream x not found.')), 'ResourceNotFoundException: Stream x not found.');
    assert.equal(errorLine(sdkError('UnknownOperationException', 'UnknownError')), 'UnknownOperationException');
    assert.equal(errorLine(new Error('plain')), 'plain');
  });
});

describe('loopback endpoints (where placeholder credentials may be used)', () => {
  it('knows localhost, 127.0.0.0/8 and ::1, and nothing else', () => {
    for (const e of ['http://127.0.0.1:4567', 'http://localhost:4567', 'http://127.9.8.7', 'http://[::1]:4567']) assert.ok(isLoopbackEndpoint(e), e);
    for (const e of ['https://kinesis.us-east-1.amazonaws.com', 'http://10.0.0.1:4567', 'http://127.0.0.1.example.com', 'http://[::2]']) assert.ok(!isLoopbackEndpoint(e), e);
  });
});

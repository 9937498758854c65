import { strict as assert } from 'node:assert';
import { KINESIS_ERRORS, KinesisError, shardRateExceededMessage, streamNotFound } from '../src/errors';
import type { KinesisErrorType } from '../src/errors';

describe('errors', () => {
  it('maps every type to a 4xx or 5xx status', () => {
    for (const [type, info] of Object.entries(KINESIS_ERRORS)) {
      assert.ok([400, 403, 500, 503].includes(info.status), type);
      assert.equal(typeof info.retryable, 'boolean', type);
    }
  });

  it('marks server-side and throttling errors retryable and client mistakes not', () => {
    const retryable: KinesisErrorType[] = ['InternalFailure', 'ServiceUnavailable', 'ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException'];
    const not: KinesisErrorType[] = ['ValidationException', 'InvalidArgumentException', 'ResourceNotFoundException', 'ResourceInUseException', 'ExpiredIteratorException', 'SerializationException'];
    for (const t of retryable) assert.equal(KINESIS_ERRORS[t].retryable, true, t);
    for (const t of not) assert.equal(KINESIS_ERRORS[t].retryable, false, t);
    assert.equal(KINESIS_ERRORS.InternalFailure.status, 500);
    assert.equal(KINESIS_ERRORS.ServiceUnavailable.status, 503);
    assert.equal(KINESIS_ERRORS.MissingAuthenticationToken.status, 403);
    assert.equal(KINESIS_ERRORS.MissingAuthenticationTokenException.status, 400);
  });

  it('carries type, status, name and message', () => {
    const e = new KinesisError('InvalidArgumentException', 'bad');
    assert.ok(e instanceof Error);
    assert.ok(e instanceof KinesisError);
    assert.equal(e.type, 'InvalidArgumentException');
    assert.equal(e.name, 'InvalidArgumentException');
    assert.equal(e.status, 400);
    assert.equal(e.message, 'bad');
  });

  it('spells the messages as Kinesis does', () => {
    const e = streamNotFound('orders', '000000000000');
    assert.equal(e.type, 'ResourceNotFoundException');
    assert.equal(e.message, 'Stream orders under account 000000000000 not found.');
    assert.equal(
      shardRateExceededMessage('shardId-000000000001', 'orders', '000000000000'),
      'Rate exceeded for shard shardId-000000000001 in stream orders under account 000000000000.',
    );
  });
});

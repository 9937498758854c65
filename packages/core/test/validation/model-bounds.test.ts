/** Bounds that follow the current Kinesis API model (botocore kinesis 2013-12-02): Tags, WarmThroughputMiBps, MaxRecordSizeInKiB, counts. */
import assert from 'node:assert/strict';
import {
  CREATE_STREAM, UPDATE_MAX_RECORD_SIZE, UPDATE_SHARD_COUNT, UPDATE_STREAM_MODE, UPDATE_STREAM_WARM_THROUGHPUT,
  type CreateStreamInput, type UpdateMaxRecordSizeInput,
} from '../../src/validation/request-shapes';
import { INCREASE_STREAM_RETENTION_PERIOD } from '../../src/validation/stream-settings-shapes';
import { LIST_TAGS_FOR_STREAM } from '../../src/validation/tag-shapes';
import { validateRequest } from '../../src/validation/validate-request';
import { validationMessage } from './validation-message';

describe('validateRequest: model bounds', () => {
  it('CreateStream takes Tags, WarmThroughputMiBps and MaxRecordSizeInKiB', () => {
    const input = validateRequest<CreateStreamInput>(CREATE_STREAM, {
      StreamName: 's', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, Tags: { team: 'a', empty: '' }, WarmThroughputMiBps: 50, MaxRecordSizeInKiB: 2048,
    }, 'seconds');
    assert.deepEqual(input.Tags, { team: 'a', empty: '' });
    assert.equal(input.WarmThroughputMiBps, 50);
    assert.equal(input.MaxRecordSizeInKiB, 2048);
  });

  it('checks the tag map size, keys and values', () => {
    assert.equal(validationMessage(CREATE_STREAM, { StreamName: 's', ShardCount: 1, Tags: {} }),
      "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const longKey = 'k'.repeat(129);
    assert.equal(validationMessage(CREATE_STREAM, { StreamName: 's', ShardCount: 1, Tags: { [longKey]: 'v' } }),
      `1 validation error detected: Value '{${longKey}=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: ` +
      '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]');
    const longValue = 'v'.repeat(257);
    assert.match(validationMessage(CREATE_STREAM, { StreamName: 's', ShardCount: 1, Tags: { k: longValue } }),
      /at 'tags' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 256, Member must have length greater than or equal to 0\]$/);
    assert.throws(() => validateRequest(CREATE_STREAM, { StreamName: 's', ShardCount: 1, Tags: { k: 5 } }, 'seconds'), /SerializationException|can not be converted to an String/);
  });

  it('bounds MaxRecordSizeInKiB to 1024..10240 on CreateStream', () => {
    assert.match(validationMessage(CREATE_STREAM, { StreamName: 's', ShardCount: 1, MaxRecordSizeInKiB: 1023 }),
      /Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024/);
    assert.match(validationMessage(CREATE_STREAM, { StreamName: 's', ShardCount: 1, MaxRecordSizeInKiB: 10241 }),
      /Member must have value less than or equal to 10240/);
  });

  it('ShardCount and TargetShardCount have only a lower bound (quota checks come later)', () => {
    validateRequest(CREATE_STREAM, { StreamName: 's', ShardCount: 2147483647 }, 'seconds');
    validateRequest(UPDATE_SHARD_COUNT, { StreamName: 's', ScalingType: 'UNIFORM_SCALING', TargetShardCount: 1_000_000 }, 'seconds');
    assert.match(validationMessage(CREATE_STREAM, { StreamName: 's', ShardCount: 0 }), /'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1$/);
    assert.match(validationMessage(UPDATE_SHARD_COUNT, { StreamName: 's', ScalingType: 'UNIFORM_SCALING', TargetShardCount: 0 }), /'targetShardCount'/);
  });

  it('WarmThroughputMiBps has only a lower bound of 0', () => {
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/s';
    validateRequest(UPDATE_STREAM_WARM_THROUGHPUT, { StreamName: 's', WarmThroughputMiBps: 1_000_000 }, 'seconds');
    validateRequest(UPDATE_STREAM_MODE, { StreamARN: arn, StreamModeDetails: { StreamMode: 'ON_DEMAND' }, WarmThroughputMiBps: 1_000_000 }, 'seconds');
    validateRequest(CREATE_STREAM, { StreamName: 's', StreamModeDetails: { StreamMode: 'ON_DEMAND' }, WarmThroughputMiBps: 0 }, 'seconds');
    assert.match(validationMessage(CREATE_STREAM, { StreamName: 's', ShardCount: 1, WarmThroughputMiBps: -1 }),
      /'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater than or equal to 0$/);
  });

  it('UpdateMaxRecordSize names the stream by StreamName or StreamARN', () => {
    const byName = validateRequest<UpdateMaxRecordSizeInput>(UPDATE_MAX_RECORD_SIZE, { StreamName: 's', MaxRecordSizeInKiB: 2048 }, 'seconds');
    assert.equal(byName.StreamName, 's');
    validateRequest(UPDATE_MAX_RECORD_SIZE, { StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', MaxRecordSizeInKiB: 2048 }, 'seconds');
    assert.equal(validationMessage(UPDATE_MAX_RECORD_SIZE, { MaxRecordSizeInKiB: 2048 }),
      "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
  });

  // kinesalite's recordings of these requests predate the current model (docs/operations.md): its answers
  // add a retentionPeriodHours clause (bounds 1..168), a shardCount clause (max 100000) and a Limit max of 10.
  it('answers kinesalite\'s requests as the current model does', () => {
    for (const hours of [-1, 169]) {
      assert.equal(validationMessage(INCREASE_STREAM_RETENTION_PERIOD, { StreamName: '', RetentionPeriodHours: hours }),
        "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    const long = 'a'.repeat(129);
    assert.equal(validationMessage(CREATE_STREAM, { StreamName: long, ShardCount: 100000000000 }),
      `1 validation error detected: Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`);
    assert.equal(validationMessage(LIST_TAGS_FOR_STREAM, { StreamName: long, ExclusiveStartTagKey: long, Limit: 100 }),
      "3 validation errors detected: Value '100' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50; " +
      `Value '${long}' at 'exclusiveStartTagKey' failed to satisfy constraint: Member must have length less than or equal to 128; ` +
      `Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`);
  });
});

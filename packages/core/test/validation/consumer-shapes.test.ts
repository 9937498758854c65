/** The fan-out request shapes: RegisterStreamConsumer, ListStreamConsumers, SubscribeToShard (bounds from the API reference). */
import assert from 'node:assert/strict';
import { LIST_STREAM_CONSUMERS, REGISTER_STREAM_CONSUMER, SUBSCRIBE_TO_SHARD, type SubscribeToShardInput } from '../../src/validation/consumer-shapes';
import { validateRequest } from '../../src/validation/validate-request';
import { validationMessage } from './validation-message';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/s';
const CONSUMER_ARN = `${STREAM_ARN}/consumer/c:1700000000`;

describe('validateRequest: fan-out shapes', () => {
  it('RegisterStreamConsumer needs StreamARN and a consumer name of [a-zA-Z0-9_.-], 1..128', () => {
    assert.equal(validationMessage(REGISTER_STREAM_CONSUMER, {}),
      "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null; " +
      "Value null at 'consumerName' failed to satisfy constraint: Member must not be null");
    assert.match(validationMessage(REGISTER_STREAM_CONSUMER, { StreamARN: STREAM_ARN, ConsumerName: 'a b' }),
      /Value 'a b' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_.-\]\+/);
    assert.match(validationMessage(REGISTER_STREAM_CONSUMER, { StreamARN: STREAM_ARN, ConsumerName: 'c'.repeat(129) }),
      /Member must have length less than or equal to 128/);
    validateRequest(REGISTER_STREAM_CONSUMER, { StreamARN: STREAM_ARN, ConsumerName: 'c'.repeat(128), Tags: { k: 'v' } }, 'seconds');
  });

  it('ListStreamConsumers MaxResults is 1..10000', () => {
    assert.match(validationMessage(LIST_STREAM_CONSUMERS, { StreamARN: STREAM_ARN, MaxResults: 0 }), /greater than or equal to 1/);
    assert.match(validationMessage(LIST_STREAM_CONSUMERS, { StreamARN: STREAM_ARN, MaxResults: 10001 }), /less than or equal to 10000/);
    validateRequest(LIST_STREAM_CONSUMERS, { StreamARN: STREAM_ARN, MaxResults: 10000 }, 'seconds');
  });

  it('SubscribeToShard checks the consumer ARN pattern and the starting position type', () => {
    assert.match(validationMessage(SUBSCRIBE_TO_SHARD, { ConsumerARN: STREAM_ARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } }),
      /Value '.*' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    assert.match(validationMessage(SUBSCRIBE_TO_SHARD, { ConsumerARN: CONSUMER_ARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'NOW' } }),
      /at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set/);
    assert.match(validationMessage(SUBSCRIBE_TO_SHARD, { ConsumerARN: CONSUMER_ARN, ShardId: 'shardId-000000000000' }),
      /Value null at 'startingPosition' failed to satisfy constraint: Member must not be null/);
    const input = validateRequest<SubscribeToShardInput>(SUBSCRIBE_TO_SHARD, {
      ConsumerARN: CONSUMER_ARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'AT_TIMESTAMP', Timestamp: 1700000000.5 },
    }, 'seconds');
    assert.equal(input.StartingPosition.Timestamp, 1700000000500);
  });
});

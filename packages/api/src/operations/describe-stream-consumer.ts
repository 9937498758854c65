/** DescribeStreamConsumer: the consumer named by ConsumerARN, or by StreamARN and ConsumerName. */
import { DESCRIBE_STREAM_CONSUMER, type ConsumerTargetInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { consumerDescription, resolveConsumer } from '../consumers/resolve-consumer';

async function execute(ctx: OperationContext, input: ConsumerTargetInput): Promise<OperationOutput> {
  const { consumer } = resolveConsumer(ctx, input);
  return { ConsumerDescription: consumerDescription(consumer.value) };
}

export const describeStreamConsumer = defineOperation<ConsumerTargetInput>({
  name: 'DescribeStreamConsumer', shape: DESCRIBE_STREAM_CONSUMER, controlPlane: true, execute,
});

/**
 * DeregisterStreamConsumer: marks the consumer DELETING (guarded by the
 * revision read; a lost race with the controller's CREATING -> ACTIVE is
 * retried on the newer record); the controller deletes it, and its open
 * subscriptions end.
 */
import { DEREGISTER_STREAM_CONSUMER, KinesisError, type ConsumerTargetInput } from '@shoal/core';
import { READ_YOUR_WRITE_WAIT_MS, awaitOwnWrite, defineOperation, type OperationContext } from '../operation';
import { resolveConsumer } from '../consumers/resolve-consumer';

/** Attempts when the consumer record changed between our read and write. */
const DEREGISTER_ATTEMPTS_MAX = 3;

async function execute(ctx: OperationContext, input: ConsumerTargetInput): Promise<Record<string, never>> {
  for (let attempt = 1; ; attempt++) {
    const { consumer, stream } = resolveConsumer(ctx, input);
    const c = consumer.value;
    const busy = new KinesisError('ResourceInUseException',
      `Consumer ${c.consumerName} under stream ${stream.streamName} under account ${ctx.caller.accountId} is in ${c.status} state.`);
    if (c.status === 'DELETING') throw busy;
    if (await ctx.metadata.consumers.updateConsumer({ ...c, status: 'DELETING' }, consumer.modRevision)) {
      await awaitOwnWrite(ctx, (view) => view.consumers.byConsumerArn(c.consumerArn)?.value.status !== c.status);
      return {};
    }
    if (attempt >= DEREGISTER_ATTEMPTS_MAX) throw busy;
    await ctx.metadata.waitFor((view) => view.consumers.byConsumerArn(c.consumerArn)?.modRevision !== consumer.modRevision, READ_YOUR_WRITE_WAIT_MS)
      .catch(() => undefined);
  }
}

export const deregisterStreamConsumer = defineOperation<ConsumerTargetInput>({
  name: 'DeregisterStreamConsumer', shape: DEREGISTER_STREAM_CONSUMER, controlPlane: true, execute,
});

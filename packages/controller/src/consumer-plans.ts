/**
 * The consumer lifecycle (enhanced fan-out) as pure plans over the view:
 * a registered consumer goes CREATING -> ACTIVE, a deregistered one
 * DELETING -> gone, and a consumer whose stream is gone (deleted while it
 * registered) is removed. Each plan is one commit guarded by the consumer's
 * mod revision. The stream's own deletion removes its consumers first
 * (planStreamConsumersDeletion, called by planStreamDeletion).
 */
import type { ClusterView, ConsumerRecord, Keys, StreamRecord, Versioned } from '@shoal/metadata';
import { CONSUMER_COMMITS_PER_PASS_MAX } from './controller-limits';
import type { CommitPlan } from './plans';

/**
 * Commits that move consumers along, at most CONSUMER_COMMITS_PER_PASS_MAX
 * (the next pass does the rest); a CREATING or DELETING consumer moves only
 * once `due` says so (it has shown that status long enough).
 */
export function planConsumerChanges(view: ClusterView, keys: Keys, due: (streamId: string, c: ConsumerRecord) => boolean): CommitPlan[] {
  const plans: CommitPlan[] = [];
  for (const streamId of [...view.consumers.streamIds()]) {
    const stream = view.streamById(streamId)?.value;
    for (const c of view.consumers.of(streamId)) {
      if (plans.length >= CONSUMER_COMMITS_PER_PASS_MAX) return plans;
      const key = keys.consumer(streamId, c.value.consumerName);
      const compare = [{ key, modRevision: c.modRevision }];
      const name = `${c.value.consumerName} of ${stream?.streamName ?? streamId}`;
      if (!stream) {
        plans.push({ reason: `remove consumer ${name} (stream gone)`, compare, puts: [], deletes: [key, keys.consumerRegistry(streamId)] });
      } else if (!due(streamId, c.value)) {
        continue;
      } else if (c.value.status === 'DELETING') {
        plans.push({ reason: `remove consumer ${name}`, compare, puts: [], deletes: [key] });
      } else if (c.value.status === 'CREATING') {
        plans.push({ reason: `consumer ${name} ACTIVE`, compare, puts: [{ key, value: { ...c.value, status: 'ACTIVE' } }], deletes: [] });
      }
    }
  }
  return plans;
}

/** Deletes every consumer of a DELETING stream and its registration guard, in one commit; undefined when it has none. */
export function planStreamConsumersDeletion(view: ClusterView, keys: Keys, stream: Versioned<StreamRecord>): CommitPlan | undefined {
  const s = stream.value;
  const consumers = view.consumers.of(s.streamId);
  if (consumers.length === 0) return undefined;
  return {
    reason: `delete ${consumers.length} consumers of ${s.streamName}`,
    compare: [{ key: keys.stream(s), modRevision: stream.modRevision }],
    puts: [],
    deletes: [...consumers.map((c) => keys.consumer(s.streamId, c.value.consumerName)), keys.consumerRegistry(s.streamId)],
  };
}

/**
 * Records the leader and epoch of every shard of the scenario's stream as
 * etcd holds them (epochs.jsonl, reshard-format.ts): one line per shard
 * when it starts, then one per change of leader or epoch, from the
 * harness's own watch-backed MetadataStore (which never goes through the
 * link proxies), so the checker can prove that epochs strictly increase
 * with every leader change (epoch-not-increasing).
 */
import type { MetadataStore, ShardRecord, Versioned } from '@shoal/metadata';
import type { HistoryWriter } from '../history/history-writer';
import { chaosStreamRef } from '../workload/kinesis-clients';

export interface EpochSampler {
  stop(): void;
}

/** How long to wait for the stream to appear in the harness's view (it was just created through the api). */
const STREAM_WAIT_MS = 10_000;

/** Samples the stream's shards from now until stop(). */
export async function sampleEpochs(store: MetadataStore, streamName: string, history: HistoryWriter, now: () => number): Promise<EpochSampler> {
  await store.waitFor((view) => view.stream(chaosStreamRef(streamName)) !== undefined, STREAM_WAIT_MS);
  const streamId = store.view.stream(chaosStreamRef(streamName))!.value.streamId;
  const last = new Map<string, { leader: string; epoch: number }>();
  const record = (v: Versioned<ShardRecord>): void => {
    const s = v.value;
    const before = last.get(s.shardId);
    if (before && before.leader === s.leader && before.epoch === s.epoch) return;
    last.set(s.shardId, { leader: s.leader, epoch: s.epoch });
    history.epoch({ type: 'epoch', atMs: now(), shardId: s.shardId, leader: s.leader, epoch: s.epoch, modRevision: v.modRevision });
  };
  for (const v of store.view.shardsOf(streamId)) record(v);
  const unsubscribe = store.onChange((change) => {
    if (change.kind === 'shard' && change.streamId === streamId && change.value) record(change.value);
  });
  return { stop: unsubscribe };
}

/**
 * Epochs strictly increase (epoch-not-increasing): in the leader/epoch
 * samples of each shard (epochs.jsonl, in etcd revision order), an epoch
 * never goes down, and a change of leader always comes with a higher
 * epoch (a new leader at the old epoch could not be told apart from the
 * deposed one by the followers' fencing). Runs without epochs.jsonl (older
 * folders) are skipped.
 */
import type { History } from '../history/history-format';
import type { EpochSample } from '../history/reshard-format';
import { compareBigInt } from './history-index';
import type { ViolationSink } from './violations';

/** Leader changes seen across all shards (for the verdict), or undefined without samples. */
export function checkEpochs(history: History, sink: ViolationSink): number | undefined {
  if (history.epochs === undefined) return undefined;
  const byShard = new Map<string, EpochSample[]>();
  for (const e of history.epochs) {
    const list = byShard.get(e.shardId);
    if (list) list.push(e); else byShard.set(e.shardId, [e]);
  }
  let leaderChanges = 0;
  for (const [shardId, samples] of byShard) {
    samples.sort((a, b) => compareBigInt(BigInt(a.modRevision), BigInt(b.modRevision)));
    for (let i = 1; i < samples.length; i++) {
      const before = samples[i - 1]!;
      const after = samples[i]!;
      if (after.leader !== before.leader) leaderChanges++;
      if (after.epoch < before.epoch) {
        sink.add('epoch-not-increasing', `${shardId}: epoch went from ${before.epoch} (${before.leader}) down to ${after.epoch} (${after.leader}) at revision ${after.modRevision}`, [before, after]);
      } else if (after.leader !== before.leader && after.epoch === before.epoch) {
        sink.add('epoch-not-increasing', `${shardId}: leader changed from ${before.leader} to ${after.leader} at epoch ${after.epoch} without a new epoch (revision ${after.modRevision})`, [before, after]);
      }
    }
  }
  return leaderChanges;
}

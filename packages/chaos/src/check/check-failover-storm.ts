/**
 * No failover storm (failover-storm): from the leader/epoch samples of etcd
 * (epochs.jsonl), a leader change is explained when a process fault (kill,
 * stop, cont, term, restart, partition, heal) came at most
 * STORM_EXPLAINED_AFTER_MS before it: the failover itself, the leader
 * handed back after a restart, and so on. Link degradation alone (delay,
 * resets: fault action `link`) explains nothing: a slow or flaky link must
 * not make leadership flap. More than STORM_CHANGES_PER_MINUTE_MAX
 * unexplained changes of one shard within any minute is a storm. Runs
 * without epochs.jsonl are skipped.
 */
import type { History } from '../history/history-format';
import type { EpochSample } from '../history/reshard-format';
import { compareBigInt } from './history-index';
import type { ViolationSink } from './violations';

/** A leader change this long after a process fault is put down to the fault. */
export const STORM_EXPLAINED_AFTER_MS = 30_000;
/** Unexplained leader changes of one shard allowed within one minute. */
export const STORM_CHANGES_PER_MINUTE_MAX = 2;
const MINUTE_MS = 60_000;

export function checkFailoverStorm(history: History, sink: ViolationSink): void {
  if (history.epochs === undefined) return;
  const processFaults = history.faults.filter((f) => f.action !== 'link').map((f) => f.atMs);
  const explained = (atMs: number): boolean => processFaults.some((f) => f <= atMs && atMs - f <= STORM_EXPLAINED_AFTER_MS);
  const byShard = new Map<string, EpochSample[]>();
  for (const e of history.epochs) {
    const list = byShard.get(e.shardId);
    if (list) list.push(e); else byShard.set(e.shardId, [e]);
  }
  for (const [shardId, samples] of byShard) {
    samples.sort((a, b) => compareBigInt(BigInt(a.modRevision), BigInt(b.modRevision)));
    const unexplained = samples.filter((s, i) => i > 0 && s.leader !== samples[i - 1]!.leader && !explained(s.atMs));
    for (let first = 0, last = 0; last < unexplained.length; last++) {
      while (unexplained[last]!.atMs - unexplained[first]!.atMs > MINUTE_MS) first++;
      if (last - first + 1 > STORM_CHANGES_PER_MINUTE_MAX) {
        const window = unexplained.slice(first, last + 1);
        sink.add('failover-storm', `${shardId}: ${window.length} leader changes within ${((window[window.length - 1]!.atMs - window[0]!.atMs) / 1000).toFixed(1)} s with no process fault (${window.map((s) => `${s.leader}@${s.epoch}`).join(' ')})`, window);
        unexplained.splice(0, last + 1);
        first = 0;
        last = -1;
      }
    }
  }
}

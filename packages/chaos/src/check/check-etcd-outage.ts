/**
 * "Leaders whose lease lapsed stop acknowledging" (CHAOS.md, etcd
 * disruption). While etcd has no quorum no lease is renewed, so every
 * storage node's lease lapses within its TTL, and a leader must not
 * acknowledge past its lease (storage-node node-registration.ts). A
 * quorum loss is a fault on the single member (`etcd`, killed or stopped,
 * with a pid: the signal reached it) or a stop of a majority of members
 * (`etcd-majority`, etcd-faults.ts); it lasts until the next restart, cont
 * or heal. A put that began more than the lease TTL (run settings
 * `leaseTtlSec`) + ETCD_QUORUM_LOSS_SLACK_MS after the quorum loss and was
 * acknowledged before etcd came back was acknowledged without a lease:
 * `ack-without-lease`. Runs without `leaseTtlSec` are not checked.
 */
import { ETCD_QUORUM_LOSS_SLACK_MS } from '../chaos-limits';
import type { FaultEvent, History } from '../history/history-format';
import type { HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

const ENDS_OUTAGE = new Set(['restart', 'cont', 'heal']);

function losesQuorum(f: FaultEvent): boolean {
  if (f.target === 'etcd') return (f.action === 'kill' || f.action === 'stop') && f.pid !== undefined;
  return f.target === 'etcd-majority' && f.action === 'stop';
}

/** The windows [fromMs, toMs) in which no put may begin and be acknowledged. */
export function leaselessWindows(history: History): Array<{ fault: FaultEvent; fromMs: number; toMs: number }> {
  const ttlSec = history.run.settings?.['leaseTtlSec'];
  if (typeof ttlSec !== 'number') return [];
  const faults = [...history.faults].sort((a, b) => a.atMs - b.atMs);
  const windows: Array<{ fault: FaultEvent; fromMs: number; toMs: number }> = [];
  faults.forEach((f, i) => {
    if (!losesQuorum(f)) return;
    const back = faults.slice(i + 1).find((g) => ENDS_OUTAGE.has(g.action));
    const fromMs = f.atMs + ttlSec * 1000 + ETCD_QUORUM_LOSS_SLACK_MS;
    const toMs = back?.atMs ?? history.run.endMs;
    if (fromMs < toMs) windows.push({ fault: f, fromMs, toMs });
  });
  return windows;
}

export function checkEtcdOutages(index: HistoryIndex, sink: ViolationSink): void {
  for (const w of leaselessWindows(index.history)) {
    for (const ack of index.acks) {
      if (ack.startMs >= w.fromMs && ack.endMs < w.toMs) {
        sink.add('ack-without-lease', `${ack.shardId} ${ack.seq}: put began at ${ack.startMs}, acknowledged at ${ack.endMs}, while etcd had no quorum since ${w.fault.atMs} (${w.fault.action} ${w.fault.target}; every lease lapsed by ${w.fromMs}, etcd back at ${w.toMs})`, [w.fault, ack]);
      }
    }
  }
}

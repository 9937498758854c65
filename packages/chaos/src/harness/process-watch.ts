/**
 * Watches the cluster's processes while a scenario runs: every recorded
 * process (DATA/cluster.json) whose pid no longer runs its command line,
 * although the harness neither signalled it to end (ClusterControl
 * .expectedExits) nor retired it, has crashed; each such exit is written
 * once to exits.jsonl with the tail of its log (the checker reports it as
 * `process-crashed`). Stopped before the harness brings the cluster down.
 */
import { readFileSync } from 'node:fs';
import type { HistoryWriter } from '../history/history-writer';
import { isOurs, type ClusterControl } from './cluster-control';

const WATCH_POLL_MS = 500;
const LOG_TAIL_BYTES = 2_000;

export interface ProcessWatch {
  /** One last poll, then stop. */
  stop(): void;
}

function logTail(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(Math.max(0, text.length - LOG_TAIL_BYTES));
  } catch {
    return undefined;
  }
}

export function watchProcesses(cluster: ClusterControl, history: HistoryWriter, now: () => number, log: (msg: string) => void): ProcessWatch {
  const reported = new Set<number>();
  const poll = (): void => {
    for (const p of cluster.processes()) {
      if (reported.has(p.pid) || cluster.expectedExits.has(p.pid) || isOurs(p)) continue;
      reported.add(p.pid);
      log(`${p.name} (pid ${p.pid}) exited unexpectedly; log ${p.logFile}`);
      const tail = logTail(p.logFile);
      history.exit({ type: 'exit', atMs: now(), name: p.name, role: p.role, pid: p.pid, ...(tail !== undefined ? { logTail: tail } : {}) });
    }
  };
  const timer = setInterval(poll, WATCH_POLL_MS);
  return { stop: () => { clearInterval(timer); poll(); } };
}

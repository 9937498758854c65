// What the processes of a local shoal cluster cost, for scripts/bench.mjs:
// CPU time (user + system, from /proc/<pid>/stat) and resident memory
// (VmRSS, /proc/<pid>/status) of the api and the storage nodes that
// `scripts/cluster up --data DIR` started (DIR/cluster.json names them),
// and the replicas each node holds (its /healthz). Linux only; elsewhere
// every figure is reported as unavailable.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Kernel clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SEC = 100;

/** The api and storage-node processes of the cluster in `dataDir`: [{ name, role, pid, healthUrl }]. */
export function clusterProcesses(dataDir) {
  try {
    const state = JSON.parse(readFileSync(path.join(dataDir, 'cluster.json'), 'utf8'));
    return Object.values(state.processes)
      .filter((p) => p.role === 'api' || p.role === 'storage-node')
      .map((p) => ({ name: p.name, role: p.role, pid: p.pid, healthUrl: p.healthUrl }));
  } catch {
    return [];
  }
}

/** CPU ms used so far by `pid` (undefined if unreadable). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3; utime and stime are fields 14 and 15 (1-based) of the whole line.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

/** Resident memory of `pid` in bytes (undefined if unreadable). */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A snapshot of every process's CPU ms, to diff later. */
export function cpuSnapshot(processes) {
  return new Map(processes.map((p) => [p.name, cpuMs(p.pid)]));
}

/**
 * CPU ms per MB of `mb` moved since `before`, per role: { api, nodes } where
 * nodes is the sum over the storage nodes (undefined where unreadable).
 */
export function cpuPerMb(processes, before, mb) {
  const out = { api: 0, nodes: 0 };
  for (const p of processes) {
    const start = before.get(p.name);
    const end = cpuMs(p.pid);
    if (start === undefined || end === undefined || mb <= 0) return undefined;
    out[p.role === 'api' ? 'api' : 'nodes'] += (end - start) / mb;
  }
  return { api: Math.round(out.api * 10) / 10, nodes: Math.round(out.nodes * 10) / 10 };
}

/** Replicas a node reports on /healthz (undefined if it does not answer). */
export async function replicasOf(healthUrl) {
  try {
    const res = await fetch(healthUrl);
    const body = await res.json();
    return typeof body.replicas === 'number' ? body.replicas : undefined;
  } catch {
    return undefined;
  }
}

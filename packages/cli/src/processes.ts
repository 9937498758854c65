/**
 * Starting, recognising and stopping the cluster's processes. A process is
 * ours only if its pid is alive and its /proc cmdline is exactly the argv
 * we started it with; nothing else is ever signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOG_TAIL_LINES, PROBE_INTERVAL_MS, STOP_GRACE_MS } from './cli-limits';
import type { ProcessSpec } from './cluster-config';
import type { ProcessEntry } from './cluster-state';

/** True if `entry.pid` runs exactly `entry.argv`. */
export function isRunning(entry: Pick<ProcessEntry, 'pid' | 'argv'>): boolean {
  if (!entry.pid) return false;
  try {
    const raw = readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8');
    const argv = raw.split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv.length === entry.argv.length && argv.every((a, i) => a === entry.argv[i]);
  } catch {
    return false;
  }
}

/** Starts `spec` detached (own process group, survives the CLI), output appended to its log file. */
export function startDetached(spec: ProcessSpec, resolvedCommand: string): ProcessEntry {
  if (spec.command === process.execPath && !existsSync(spec.args[0]!)) {
    throw new Error(`${spec.name}: entry point ${spec.args[0]!} is missing (run npm run build)`);
  }
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(resolvedCommand, [...spec.args], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
    child.unref();
    if (child.pid === undefined) throw new Error(`${spec.name}: spawn failed`);
    const base = { name: spec.name, role: spec.role, pid: child.pid, address: spec.address, healthUrl: spec.healthUrl, logFile: spec.logFile, argv: [resolvedCommand, ...spec.args] };
    return spec.az ? { ...base, az: spec.az } : base;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, then SIGKILL if still running after STOP_GRACE_MS. Resolves once gone. */
export async function stopProcess(entry: ProcessEntry): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isRunning(entry)) return 'not-running';
  signal(entry.pid, 'SIGTERM');
  for (let waited = 0; waited < STOP_GRACE_MS; waited += PROBE_INTERVAL_MS) {
    await sleep(PROBE_INTERVAL_MS);
    if (!isRunning(entry)) return 'stopped';
  }
  signal(entry.pid, 'SIGKILL');
  while (isRunning(entry)) await sleep(PROBE_INTERVAL_MS);
  return 'killed';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* exited meanwhile */ }
}

/** The last lines of a log file, for error messages. */
export function logTail(path: string, lines = LOG_TAIL_LINES): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

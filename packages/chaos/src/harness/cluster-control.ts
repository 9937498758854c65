/**
 * The harness's hold on the cluster: `cluster up` / `cluster down` through
 * the CLI (asynchronously, so the workload keeps running meanwhile), the
 * processes of DATA/cluster.json, and signals sent only to a pid whose
 * /proc cmdline is still exactly the recorded command line.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, readState, type ProcessEntry } from '@shoal/cli';

const execFileAsync = promisify(execFile);
const CLI_TIMEOUT_MS = 120_000;

export interface ClusterPorts {
  readonly apiPort: number;
  readonly etcdPort: number;
  readonly portBase: number;
}

export class ClusterControl {
  constructor(readonly dataDir: string, readonly ports: ClusterPorts) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.ports.apiPort}`;
  }

  get etcdEndpoint(): string {
    return `http://127.0.0.1:${this.ports.etcdPort}`;
  }

  async cli(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, [join(REPO_ROOT, 'packages/cli/dist/src/main.js'), 'cluster', ...args, '--data', this.dataDir], {
      encoding: 'utf8', timeout: CLI_TIMEOUT_MS,
    });
    return stdout;
  }

  /** Starts (or restarts whatever is not running in) the cluster. */
  up(): Promise<string> {
    const p = this.ports;
    return this.cli('up', '--port', String(p.apiPort), '--etcd-port', String(p.etcdPort), '--port-base', String(p.portBase), '--limits', 'off');
  }

  down(): Promise<string> {
    return this.cli('down');
  }

  processes(): ProcessEntry[] {
    return Object.values(readState(this.dataDir)?.processes ?? {});
  }

  process(name: string): ProcessEntry | undefined {
    return readState(this.dataDir)?.processes[name];
  }

  /** Sends `sig` to the recorded process if it is still ours; returns its pid or undefined. */
  signal(name: string, sig: NodeJS.Signals): number | undefined {
    const entry = this.process(name);
    if (!entry || !isOurs(entry)) return undefined;
    try { process.kill(entry.pid, sig); return entry.pid; } catch { return undefined; }
  }

  /** Every recorded process still running (for the final sweep). */
  running(): ProcessEntry[] {
    return this.processes().filter(isOurs);
  }
}

/** True if `entry.pid` still runs exactly the command line that was recorded for it. */
export function isOurs(entry: Pick<ProcessEntry, 'pid' | 'argv'>): boolean {
  try {
    const argv = readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8').split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv.length === entry.argv.length && argv.every((a, i) => a === entry.argv[i]);
  } catch {
    return false;
  }
}

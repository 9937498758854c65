/**
 * The harness's own cluster: the layout of `scripts/cluster` (etcd, one
 * storage node per AZ, the controller, the api; from @shoal/cli) plus a
 * standby controller and a second api process, each started by the
 * harness with its own environment: SHOAL_DIAL_MAP routes every process's
 * outgoing connections through the LinkNet's proxies, and `extraEnv`
 * (e.g. a test-only switch) is added to the storage nodes.
 *
 * Processes are recorded in DATA/cluster.json (the CLI's format, so
 * `scripts/cluster status --data DATA` and collectStatus work on it), and
 * a signal is sent only to a pid whose /proc cmdline is still exactly the
 * recorded command line.
 *
 * Placement: a1, controller and api in az-a; b1, controller-2 and api-2
 * in az-b; c1 in az-c; etcd outside the AZs (a single local member).
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterSpecs, defaultConfig, readState, writeState, type ClusterConfig, type ClusterState, type ProcessEntry, type ProcessSpec } from '@shoal/cli';
import { LinkNet } from './link-net';

export interface ClusterPorts {
  readonly apiPort: number;
  readonly etcdPort: number;
  readonly portBase: number;
  /** First and last port of the link proxies. */
  readonly linkPortFirst: number;
  readonly linkPortLast: number;
}

export interface ClusterOptions {
  readonly leaseTtlSec: number;
  /** Extra environment of the storage nodes (test-only switches). */
  readonly nodeEnv: Readonly<Record<string, string>>;
}

const START_ORDER = ['etcd', 'storage-node', 'controller', 'api'] as const;
const HEALTH_WAIT_MS = 60_000;
const HEALTH_POLL_MS = 200;
const HEALTH_TIMEOUT_MS = 1_000;
const STOP_GRACE_MS = 5_000;
const CONTROLLER_2_PORT_OFFSET = 201;

export class ClusterControl {
  readonly config: ClusterConfig;
  readonly specs: ProcessSpec[];
  readonly links: LinkNet;

  constructor(readonly dataDir: string, readonly ports: ClusterPorts, readonly options: ClusterOptions) {
    this.config = { ...defaultConfig(dataDir), apiPort: ports.apiPort, etcdPort: ports.etcdPort, portBase: ports.portBase, limits: 'off', leaseTtlSec: options.leaseTtlSec };
    const s = clusterSpecs(this.config);
    const controller = { ...s.controller, az: 'az-a' };
    const api = { ...s.api, az: 'az-a' };
    this.specs = [s.etcd, ...s.nodes, controller, withArgs(controller, 'controller-2', 'az-b', { '--id': 'controller-2', '--http-port': String(ports.portBase + CONTROLLER_2_PORT_OFFSET) }),
      api, withArgs(api, 'api-2', 'az-b', { '--port': String(ports.apiPort + 1) })];
    const destinations = [s.etcd, ...s.nodes].map((d) => ({ name: d.name, ...(d.az ? { az: d.az } : {}), address: d.address.replace(/^http:\/\//, '') }));
    const sources = this.specs.filter((p) => p.role !== 'etcd').map((p) => ({ name: p.name, ...(p.az ? { az: p.az } : {}) }));
    this.links = new LinkNet(sources, destinations, ports.linkPortFirst, ports.linkPortLast);
  }

  /** Kinesis endpoints of the api processes (index = the history's `api`). */
  get endpoints(): string[] {
    return this.specs.filter((p) => p.role === 'api').map((p) => p.address);
  }

  get etcdEndpoint(): string {
    return this.specs[0]!.address;
  }

  spec(name: string): ProcessSpec | undefined {
    return this.specs.find((p) => p.name === name);
  }

  /** Starts the link proxies (once) and every process not running, in start order, each group healthy before the next. */
  async up(): Promise<void> {
    mkdirSync(join(this.dataDir, 'logs'), { recursive: true });
    const state: ClusterState = readState(this.dataDir) ?? { version: 1, config: this.config, processes: {} };
    for (const role of START_ORDER) {
      const group = this.specs.filter((p) => p.role === role);
      for (const spec of group) {
        const known = state.processes[spec.name];
        if (known && isOurs(known)) continue;
        state.processes[spec.name] = this.start(spec);
        writeState(this.dataDir, state);
      }
      await waitHealthy(group.map((p) => state.processes[p.name]!));
    }
  }

  /** Stops every process (SIGCONT first: a stopped one ignores TERM), api first, etcd last. */
  async down(): Promise<void> {
    for (const p of this.running()) signalPid(p.pid, 'SIGCONT');
    for (const role of [...START_ORDER].reverse()) {
      await Promise.all(this.running().filter((p) => p.role === role).map((p) => stopEntry(p)));
    }
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
    return signalPid(entry.pid, sig) ? entry.pid : undefined;
  }

  /** Every recorded process still running (for the final sweep). */
  running(): ProcessEntry[] {
    return this.processes().filter(isOurs);
  }

  private start(spec: ProcessSpec): ProcessEntry {
    const env: NodeJS.ProcessEnv = { ...process.env, SHOAL_DIAL_MAP: JSON.stringify(this.links.dialMap(spec.name)) };
    if (spec.role === 'storage-node') Object.assign(env, this.options.nodeEnv);
    const command = spec.role === 'etcd' ? whichEtcd() : spec.command;
    const fd = openSync(spec.logFile, 'a');
    try {
      const child = spawn(command, [...spec.args], { detached: true, stdio: ['ignore', fd, fd], env });
      child.unref();
      if (child.pid === undefined) throw new Error(`${spec.name}: spawn failed`);
      const entry = { name: spec.name, role: spec.role, pid: child.pid, address: spec.address, healthUrl: spec.healthUrl, logFile: spec.logFile, argv: [command, ...spec.args] };
      return spec.az ? { ...entry, az: spec.az } : entry;
    } finally {
      closeSync(fd);
    }
  }
}

/** `base` renamed, placed in `az`, with some flag values replaced (and its own log file). */
function withArgs(base: ProcessSpec, name: string, az: string, values: Readonly<Record<string, string>>): ProcessSpec {
  const args = [...base.args];
  for (const [flag, value] of Object.entries(values)) {
    const i = args.indexOf(flag);
    if (i < 0) throw new Error(`${base.name} has no ${flag}`);
    args[i + 1] = value;
  }
  const port = values['--port'] ?? values['--http-port']!;
  const address = base.address.replace(/:\d+$/, `:${port}`);
  return { ...base, name, az, args, address, healthUrl: base.healthUrl.replace(/:\d+\//, `:${port}/`), logFile: base.logFile.replace(/[^/]+\.log$/, `${name}.log`) };
}

function whichEtcd(): string {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    try { accessSync(join(dir, 'etcd'), constants.X_OK); return join(dir, 'etcd'); } catch { /* next */ }
  }
  throw new Error('etcd not found on PATH');
}

function signalPid(pid: number, sig: NodeJS.Signals): boolean {
  try { process.kill(pid, sig); return true; } catch { return false; }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitHealthy(entries: readonly ProcessEntry[]): Promise<void> {
  const deadline = Date.now() + HEALTH_WAIT_MS;
  for (;;) {
    const dead = entries.find((e) => !isOurs(e));
    if (dead) throw new Error(`${dead.name} exited (log ${dead.logFile})`);
    if ((await Promise.all(entries.map((e) => healthy(e.healthUrl)))).every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`${entries.map((e) => e.name).join(', ')} not healthy after ${HEALTH_WAIT_MS} ms`);
    await sleep(HEALTH_POLL_MS);
  }
}

async function stopEntry(entry: ProcessEntry): Promise<void> {
  signalPid(entry.pid, 'SIGTERM');
  for (let waited = 0; waited < STOP_GRACE_MS && isOurs(entry); waited += HEALTH_POLL_MS) await sleep(HEALTH_POLL_MS);
  if (isOurs(entry)) signalPid(entry.pid, 'SIGKILL');
  while (isOurs(entry)) await sleep(HEALTH_POLL_MS);
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

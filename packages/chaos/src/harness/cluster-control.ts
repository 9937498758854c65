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
 * in az-b; c1 in az-c; etcd outside the AZs (a single local member, or
 * `options.etcdMembers` members etcd-1.. with every process given all of
 * them: etcd-members.ts).
 * With `options.netns` every process but etcd is started with `ip netns
 * exec` in its own namespace and addresses (netns-layout.ts), and there
 * are no link proxies.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterSpecs, defaultConfig, ensureMasterKey, readState, writeState, type ClusterConfig, type ClusterState, type ProcessEntry, type ProcessSpec } from '@shoal/cli';
import { LinkNet } from './link-net';
import { powerCutEnv } from './power-cut';
import { netnsLayout, placeSpec } from './netns-layout';
import { NetnsNet } from './netns-net';
import { etcdMemberSpecs, withEtcdEndpoints } from './etcd-members';

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
  /** Storage nodes of the two-per-AZ layout (e.g. b2) that exist but start only once activated (node replacement). */
  readonly spareNodes?: readonly string[];
  /** Controller --rereplication-grace-sec (the product's default when absent). */
  readonly rereplicationGraceSec?: number;
  /** `--net netns`: every process but etcd in a network namespace of its own (netns-layout.ts); absent = link proxies. */
  readonly netns?: { readonly prefix: string; readonly subnet: string; readonly log: (msg: string) => void };
  /** Controllers start with the test-only reshard crash hook on (SHOAL_TEST_RESHARD_CRASH_FILE = reshardCrashFile). */
  readonly reshardCrashHook?: boolean;
  /** Extra flags of the storage nodes (e.g. `--fsync on`). */
  readonly nodeArgs?: readonly string[];
  /** Storage nodes run under the TEST-ONLY power-cut shim (power-cut.ts), which journals what they made durable. */
  readonly powerCutShim?: boolean;
  /** etcd members (1 when absent; more: proxy mode only). */
  readonly etcdMembers?: number;
  /**
   * The api runs --auth sigv4 against a credentials file of one chaos identity, and serves HTTPS (api on
   * api port + 2, api-2 on + 3, each with its own self-signed certificate); the workload then goes over HTTPS
   * with that identity's key (clientEndpoints, clientSecurity). Absent: no TLS, signatures not checked.
   */
  readonly secure?: boolean;
  /** Extra environment of the api processes (e.g. a short SubscribeToShard session). */
  readonly apiEnv?: Readonly<Record<string, string>>;
}

/** The identity of the workload when the cluster is secure (account: the default one, as without auth). */
export const CHAOS_IDENTITY = { accessKeyId: 'AKIACHAOSWORKLOAD', secretAccessKey: 'chaos-workload-secret' } as const;
const TLS_PORT_OFFSET = 2;

/** How the workload's clients reach a secure cluster: the key to sign with and the certificates to trust. */
export interface ClientSecurity {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly ca: readonly Buffer[];
}

const START_ORDER = ['etcd', 'storage-node', 'controller', 'api'] as const;
const HEALTH_WAIT_MS = 60_000;
const HEALTH_POLL_MS = 200;
const HEALTH_TIMEOUT_MS = 1_000;
const STOP_GRACE_MS = 5_000;
const CONTROLLER_2_PORT_OFFSET = 201;
const EXEC_WAIT_MS = 3_000;
const EXEC_POLL_MS = 20;

export class ClusterControl {
  readonly config: ClusterConfig;
  readonly specs: ProcessSpec[];
  readonly links: LinkNet;
  /** The namespaces and nftables cuts in netns mode (then `links` is empty: no proxies). */
  readonly netns: NetnsNet | undefined;
  /** Processes up() leaves alone: spare nodes not yet activated, and retired ones. */
  private readonly dormant = new Set<string>();
  /** Per-process environment added at its next start (e.g. a clock offset). */
  private readonly envOf = new Map<string, Readonly<Record<string, string>>>();
  /** Pids the harness itself signalled to end (SIGKILL, SIGTERM): their exits are expected. */
  readonly expectedExits = new Set<number>();

  constructor(readonly dataDir: string, readonly ports: ClusterPorts, readonly options: ClusterOptions) {
    this.config = { ...defaultConfig(dataDir), apiPort: ports.apiPort, etcdPort: ports.etcdPort, portBase: ports.portBase, limits: 'off', leaseTtlSec: options.leaseTtlSec,
      ...(options.rereplicationGraceSec !== undefined ? { rereplicationGraceSec: options.rereplicationGraceSec } : {}),
      // api-2 listens on api port + 1, where the CLI would put TLS: TLS only when secure, on ports of its own.
      tlsPort: options.secure ? ports.apiPort + TLS_PORT_OFFSET : 0,
      // --tls-host 127.0.0.1 becomes each api's own address in netns mode (placeSpec), so its certificate names it.
      ...(options.secure ? { auth: 'sigv4' as const, credentialsFile: join(dataDir, 'credentials'), tlsHosts: ['127.0.0.1'] } : {}) };
    const s = clusterSpecs(this.config);
    const etcd = etcdMemberSpecs(s.etcd, ports.etcdPort, this.config.dataDir, options.etcdMembers ?? 1);
    if (etcd.length > 1 && options.netns) throw new Error('several etcd members need --net proxy');
    const toEtcd = (p: ProcessSpec): ProcessSpec => (etcd.length > 1 ? withEtcdEndpoints(p, etcd.map((e) => e.address)) : p);
    const nodeArgs = options.nodeArgs ?? [];
    for (let i = 0; i < s.nodes.length; i++) s.nodes[i] = toEtcd({ ...s.nodes[i]!, args: [...s.nodes[i]!.args, ...nodeArgs] });
    const spares = clusterSpecs({ ...this.config, nodesPerAz: 2 }).nodes.filter((n) => options.spareNodes?.includes(n.name)).map(toEtcd);
    for (const n of spares) this.dormant.add(n.name);
    s.nodes.push(...spares);
    const controller = { ...toEtcd(s.controller), az: 'az-a' };
    const api = { ...toEtcd(s.api), az: 'az-a' };
    const specs = [...etcd, ...s.nodes, controller, withArgs(controller, 'controller-2', 'az-b', { '--id': 'controller-2', '--http-port': String(ports.portBase + CONTROLLER_2_PORT_OFFSET) }),
      api, withArgs(api, 'api-2', 'az-b', {
        '--port': String(ports.apiPort + 1),
        ...(options.secure ? { '--tls-port': String(ports.apiPort + TLS_PORT_OFFSET + 1), '--tls-dir': join(dataDir, 'tls-api-2') } : {}),
      })];
    const n = options.netns;
    this.netns = n ? new NetnsNet(netnsLayout(n.prefix, n.subnet, specs.filter((p) => p.role !== 'etcd')), n.log) : undefined;
    this.specs = this.netns ? specs.map((p) => placeSpec(p, this.netns!.layout)) : specs;
    const destinations = [...etcd, ...s.nodes].map((d) => ({ name: d.name, ...(d.az ? { az: d.az } : {}), address: d.address.replace(/^http:\/\//, '') }));
    const sources = this.specs.filter((p) => p.role !== 'etcd').map((p) => ({ name: p.name, ...(p.az ? { az: p.az } : {}) }));
    this.links = new LinkNet(this.netns ? [] : sources, destinations, ports.linkPortFirst, ports.linkPortLast);
  }

  /** The controllers' reshard crash point file (packages/controller/src/reshard-step-hook.ts), when the hook is on. */
  get reshardCrashFile(): string {
    return join(this.dataDir, 'reshard-crash-point');
  }

  /** Kinesis endpoints of the api processes (index = the history's `api`). */
  get endpoints(): string[] {
    return this.specs.filter((p) => p.role === 'api').map((p) => p.address);
  }

  /** Where the workload's clients go: the HTTPS endpoints when secure (same order as `endpoints`), else `endpoints`. */
  get clientEndpoints(): string[] {
    if (!this.options.secure) return this.endpoints;
    return this.specs.filter((p) => p.role === 'api').map((p) => {
      const port = p.args[p.args.indexOf('--tls-port') + 1]!;
      return p.address.replace(/^http:/, 'https:').replace(/:\d+$/, `:${port}`);
    });
  }

  /** The key and the api certificates the workload uses when secure (read after up(): the apis write their certificates). */
  clientSecurity(): ClientSecurity | undefined {
    if (!this.options.secure) return undefined;
    const certs = this.specs.filter((p) => p.role === 'api').map((p) => readFileSync(join(p.args[p.args.indexOf('--tls-dir') + 1]!, 'cert.pem')));
    return { credentials: CHAOS_IDENTITY, ca: certs };
  }

  get etcdEndpoint(): string {
    return this.specs[0]!.address;
  }

  /** Client URLs of every etcd member. */
  get etcdEndpoints(): string[] {
    return this.specs.filter((p) => p.role === 'etcd').map((p) => p.address);
  }

  spec(name: string): ProcessSpec | undefined {
    return this.specs.find((p) => p.name === name);
  }

  /** Starts the link proxies (once) and every process not running, in start order, each group healthy before the next. */
  async up(): Promise<void> {
    mkdirSync(join(this.dataDir, 'logs'), { recursive: true });
    if (this.config.credentialsFile !== undefined) {
      writeFileSync(this.config.credentialsFile, `[chaos]\naws_access_key_id = ${CHAOS_IDENTITY.accessKeyId}\naws_secret_access_key = ${CHAOS_IDENTITY.secretAccessKey}\n`);
    }
    // The api processes are started with the cluster's master key file (encryption at rest), as `cluster up` does.
    ensureMasterKey(this.dataDir);
    const state: ClusterState = readState(this.dataDir) ?? { version: 1, config: this.config, processes: {} };
    for (const role of START_ORDER) {
      const group = this.specs.filter((p) => p.role === role && !this.dormant.has(p.name));
      for (const spec of group) {
        const known = state.processes[spec.name];
        if (known && isOurs(known)) continue;
        state.processes[spec.name] = this.start(spec);
        await this.execDone(state.processes[spec.name]!);
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

  /** Start `name` at the next up() with `env` added to its environment (replacing what was set before). */
  setEnv(name: string, env: Readonly<Record<string, string>>): void {
    this.envOf.set(name, env);
  }

  /** From now on up() does not start `name` (a node replaced for good). */
  retire(name: string): void {
    this.dormant.add(name);
  }

  /** Lets up() start a spare node. */
  activate(name: string): void {
    this.dormant.delete(name);
  }

  isDormant(name: string): boolean {
    return this.dormant.has(name);
  }

  /** Starts the link proxies, or builds the namespaces (netns mode). */
  async startNet(): Promise<void> {
    await this.links.start();
    await this.netns?.setUp();
  }

  /** Closes the link proxies and removes the namespaces (netns mode); safe to call twice. */
  async closeNet(): Promise<void> {
    await this.links.close();
    await this.netns?.tearDown();
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
    if (sig === 'SIGKILL' || sig === 'SIGTERM') this.expectedExits.add(entry.pid);
    return signalPid(entry.pid, sig) ? entry.pid : undefined;
  }

  /** Every recorded process still running (for the final sweep). */
  running(): ProcessEntry[] {
    return this.processes().filter(isOurs);
  }

  private start(spec: ProcessSpec): ProcessEntry {
    const env: NodeJS.ProcessEnv = { ...process.env, SHOAL_DIAL_MAP: JSON.stringify(this.links.dialMap(spec.name)) };
    if (spec.role === 'storage-node') Object.assign(env, this.options.nodeEnv);
    if (spec.role === 'api') Object.assign(env, this.options.apiEnv ?? {});
    if (spec.role === 'storage-node' && this.options.powerCutShim) Object.assign(env, powerCutEnv(this.dataDir, spec));
    if (spec.role === 'controller' && this.options.reshardCrashHook) env['SHOAL_TEST_RESHARD_CRASH_FILE'] = this.reshardCrashFile;
    Object.assign(env, this.envOf.get(spec.name) ?? {});
    const command = spec.role === 'etcd' ? whichEtcd() : spec.command;
    const wrap = this.netns?.execPrefix(spec.name) ?? [];
    const fd = openSync(spec.logFile, 'a');
    try {
      const child = spawn(wrap[0] ?? command, [...wrap.slice(1), ...(wrap.length > 0 ? [command] : []), ...spec.args], { detached: true, stdio: ['ignore', fd, fd], env });
      child.unref();
      if (child.pid === undefined) throw new Error(`${spec.name}: spawn failed`);
      const entry = { name: spec.name, role: spec.role, pid: child.pid, address: spec.address, healthUrl: spec.healthUrl, logFile: spec.logFile, argv: [command, ...spec.args] };
      return spec.az ? { ...entry, az: spec.az } : entry;
    } finally {
      closeSync(fd);
    }
  }

  /** Netns mode: waits (bounded) until `ip netns exec` has exec'd the recorded command line, so isOurs holds. */
  private async execDone(entry: ProcessEntry): Promise<void> {
    for (let waited = 0; this.netns && waited < EXEC_WAIT_MS && !isOurs(entry); waited += EXEC_POLL_MS) await sleep(EXEC_POLL_MS);
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
  const ports = Object.entries(values).filter(([flag]) => flag.endsWith('-port') || flag === '--port').map(([, v]) => Number(v));
  return { ...base, name, az, args, address, healthUrl: base.healthUrl.replace(/:\d+\//, `:${port}/`), ports, logFile: base.logFile.replace(/[^/]+\.log$/, `${name}.log`) };
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

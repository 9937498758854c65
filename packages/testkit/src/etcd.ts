/**
 * Real etcd for tests: one member or several on loopback, on free ports,
 * with a temporary data directory that `stop()` removes. Members are
 * SIGKILLed (tests never need etcd's graceful shutdown) and awaited until
 * they have exited; if the test process ends first, an exit hook kills what
 * is left, so no etcd outlives its test run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from './ports';

/** How long members get to report healthy. */
export const ETCD_START_TIMEOUT_MS = 20_000;
const HEALTH_POLL_MS = 100;
const HEALTH_CALL_TIMEOUT_MS = 1_000;
/** How much of a member's stderr is kept for the error when it does not start. */
const STDERR_TAIL_CHARS = 4_096;

export interface EtcdOptions {
  /** Number of members (default 1). */
  readonly members?: number;
  /** Loopback address the members listen on (default 127.0.0.1). */
  readonly host?: string;
}

/** True if the member at `clientUrl` answers /health with 200. */
export async function etcdHealthy(clientUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(HEALTH_CALL_TIMEOUT_MS) })).ok;
  } catch {
    return false;
  }
}

const running = new Set<ChildProcess>();
const dataDirs = new Set<string>();
process.once('exit', () => {
  for (const child of running) { child.kill('SIGCONT'); child.kill('SIGKILL'); }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts etcd (see `EtcdOptions`) and resolves once every member is healthy. */
export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 1;
  const host = options.host ?? '127.0.0.1';
  const ports = await freePorts(2 * count, host);
  const cluster = new EtcdCluster(host, ports.slice(0, count), ports.slice(count));
  try {
    for (let i = 0; i < count; i++) cluster.start(i);
    await cluster.waitHealthy();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

interface Member {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  stderrTail: string;
  spawnError?: Error;
}

export class EtcdCluster {
  /** Client URLs, member i at index i. */
  readonly clientUrls: readonly string[];
  /** The temporary directory holding every member's data (removed by `stop`). */
  readonly dataDir: string;
  private readonly peerUrls: readonly string[];
  private readonly members: Array<Member | undefined>;

  constructor(readonly host: string, readonly clientPorts: readonly number[], peerPorts: readonly number[]) {
    this.clientUrls = clientPorts.map((p) => `http://${host}:${p}`);
    this.peerUrls = peerPorts.map((p) => `http://${host}:${p}`);
    this.members = new Array<Member | undefined>(clientPorts.length).fill(undefined);
    this.dataDir = mkdtempSync(join(tmpdir(), 'shoal-etcd-'));
    dataDirs.add(this.dataDir);
  }

  get count(): number {
    return this.clientUrls.length;
  }

  /** The client URL of member 0: the endpoint of a one-member etcd. */
  get endpoint(): string {
    return this.clientUrls[0]!;
  }

  /** The pid of member `i` while it runs. */
  pid(i = 0): number {
    const pid = this.members[i]?.child.pid;
    if (pid === undefined) throw new Error(`etcd member ${i} is not running`);
    return pid;
  }

  /** Member `i`'s command line as the kernel reports it (/proc/<pid>/cmdline). */
  commandLine(i = 0): string[] {
    const argv = readFileSync(`/proc/${this.pid(i)}/cmdline`, 'utf8').split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    return argv;
  }

  /** Starts member `i` (after `kill(i)`, on the data it had). Does not wait: see `waitHealthy`. */
  start(i: number): void {
    const name = this.count === 1 ? 't' : `m${i}`;
    const initialCluster = this.peerUrls.map((url, j) => `${this.count === 1 ? 't' : `m${j}`}=${url}`).join(',');
    const client = this.clientUrls[i]!;
    const child = spawn('etcd', [
      '--name', name, '--data-dir', join(this.dataDir, name),
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', this.peerUrls[i]!, '--initial-advertise-peer-urls', this.peerUrls[i]!,
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'shoal-test',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(child);
    const exited = new Promise<void>((resolve) => {
      const done = (): void => { running.delete(child); resolve(); };
      child.once('close', done);
      child.once('error', (err) => { member.spawnError = err; done(); });
    });
    const member: Member = { child, exited, stderrTail: '' };
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { member.stderrTail = (member.stderrTail + chunk).slice(-STDERR_TAIL_CHARS); });
    this.members[i] = member;
  }

  /** Resolves once every member in `urls` (default: all) is healthy; fails fast if one has exited. */
  async waitHealthy(urls: readonly string[] = this.clientUrls, timeoutMs = ETCD_START_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await Promise.all(urls.map(etcdHealthy))).every(Boolean)) {
      for (const url of urls) {
        const m = this.members[this.clientUrls.indexOf(url)];
        if (m?.spawnError) throw new Error(`etcd could not be started (is it on PATH? .ci/run installs it): ${m.spawnError.message}`);
        if (m && m.child.exitCode !== null) throw new Error(`etcd at ${url} exited with ${m.child.exitCode}: ${m.stderrTail}`);
      }
      if (Date.now() > deadline) throw new Error(`etcd not healthy after ${timeoutMs} ms: ${urls.join(' ')}`);
      await sleep(HEALTH_POLL_MS);
    }
  }

  /** SIGKILLs member `i` (waking it first if stopped) and resolves once it has exited. */
  async kill(i: number): Promise<void> {
    const m = this.members[i];
    if (!m) return;
    if (m.child.exitCode === null && m.child.signalCode === null) {
      m.child.kill('SIGCONT');
      m.child.kill('SIGKILL');
    }
    await m.exited;
  }

  /** Sends `signal` to member `i` (SIGSTOP / SIGCONT to freeze and thaw it). */
  signal(i: number, signal: NodeJS.Signals): void {
    this.members[i]?.child.kill(signal);
  }

  /** Kills every member and removes the data directory. */
  async stop(): Promise<void> {
    for (let i = 0; i < this.count; i++) await this.kill(i);
    rmSync(this.dataDir, { recursive: true, force: true });
    dataDirs.delete(this.dataDir);
  }
}

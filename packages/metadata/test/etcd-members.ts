/** Test helper: a real etcd cluster of 3 members on loopback (client port base + 2i, peer the port after). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const START_WAIT_MS = 20_000;
const POLL_MS = 100;

export async function etcdHealthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export class EtcdMembers {
  readonly clientUrls: string[];
  private readonly procs: Array<ChildProcess | undefined>;

  constructor(private readonly dir: string, private readonly portBase: number, readonly count = 3) {
    this.clientUrls = Array.from({ length: count }, (_, i) => `http://127.0.0.1:${portBase + 2 * i}`);
    this.procs = new Array(count).fill(undefined);
  }

  private peerUrl(i: number): string {
    return `http://127.0.0.1:${this.portBase + 2 * i + 1}`;
  }

  /** Starts member `i` (its data kept across restarts). */
  start(i: number): void {
    const cluster = this.clientUrls.map((_, j) => `m${j}=${this.peerUrl(j)}`).join(',');
    const c = this.clientUrls[i]!;
    this.procs[i] = spawn('etcd', ['--name', `m${i}`, '--data-dir', join(this.dir, `m${i}`), '--listen-client-urls', c, '--advertise-client-urls', c,
      '--listen-peer-urls', this.peerUrl(i), '--initial-advertise-peer-urls', this.peerUrl(i), '--initial-cluster', cluster,
      '--initial-cluster-state', 'new', '--initial-cluster-token', 'members-test'], { stdio: 'ignore' });
  }

  async startAll(): Promise<void> {
    for (let i = 0; i < this.count; i++) this.start(i);
    await this.waitHealthy(this.clientUrls);
  }

  async waitHealthy(urls: readonly string[]): Promise<void> {
    const deadline = Date.now() + START_WAIT_MS;
    while (!(await Promise.all(urls.map(etcdHealthy))).every(Boolean)) {
      if (Date.now() > deadline) throw new Error(`etcd members not healthy: ${urls.join(' ')}`);
      await sleep(POLL_MS);
    }
  }

  /** SIGKILLs member `i` and waits until it has exited. */
  async kill(i: number): Promise<void> {
    const p = this.procs[i];
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  signal(i: number, sig: NodeJS.Signals): void {
    this.procs[i]?.kill(sig);
  }

  async killAll(): Promise<void> {
    for (let i = 0; i < this.count; i++) { this.signal(i, 'SIGCONT'); await this.kill(i); }
  }
}

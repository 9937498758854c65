/**
 * Runs the real local cluster for end-to-end tests through the CLI, on a
 * temporary data directory and non-default ports, and gives the tests the
 * CLI's commands (status --json, down, up).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/cluster-config';
import type { StatusReport } from '../../src/commands/status';

/** Ports of the e2e cluster (away from the defaults 2379/4567/4600.., so a dev cluster can keep running). */
export const E2E_API_PORT = Number(process.env['SHOAL_E2E_API_PORT'] ?? 23567);
const ETCD_PORT_OFFSET = 188;
const PORT_BASE_OFFSET = 33;
export const E2E_ETCD_PORT = E2E_API_PORT - ETCD_PORT_OFFSET;
export const E2E_PORT_BASE = E2E_API_PORT + PORT_BASE_OFFSET;
const CLI_TIMEOUT_MS = 120_000;

export interface HarnessOptions {
  /** api port; etcd uses port - 188 (and - 187), storage nodes port + 33.. (see cluster-config.ts). */
  readonly apiPort?: number;
  /** Extra flags for `up` (e.g. --nodes-per-az 2 --lease-ttl-sec 3). */
  readonly upArgs?: readonly string[];
  /** Extra environment of the CLI and so of every process it starts (e.g. SHOAL_SUBSCRIPTION_SESSION_MS for the api). */
  readonly env?: Readonly<Record<string, string>>;
}

export class ClusterHarness {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'shoal-e2e-'));
  readonly apiPort: number;
  readonly endpoint: string;
  /** The cluster's etcd, for tests that stand in for time passing (a record's timestamps). */
  readonly etcdEndpoint: string;
  private readonly upArgs: readonly string[];
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: HarnessOptions = {}) {
    this.apiPort = options.apiPort ?? E2E_API_PORT;
    this.endpoint = `http://127.0.0.1:${this.apiPort}`;
    this.etcdEndpoint = `127.0.0.1:${this.apiPort - ETCD_PORT_OFFSET}`;
    this.upArgs = options.upArgs ?? [];
    this.env = { ...process.env, ...options.env };
  }

  cli(...args: string[]): string {
    return execFileSync(process.execPath, [join(REPO_ROOT, 'packages/cli/dist/src/main.js'), 'cluster', ...args, '--data', this.dataDir], {
      encoding: 'utf8', timeout: CLI_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], env: this.env,
    });
  }

  /**
   * The CLI without blocking this process: a test that measures write
   * pauses must keep its writer's event loop running while the CLI works
   * (a synchronous call shows up as a pause of every shard).
   */
  cliAsync(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [join(REPO_ROOT, 'packages/cli/dist/src/main.js'), 'cluster', ...args, '--data', this.dataDir], {
        encoding: 'utf8', timeout: CLI_TIMEOUT_MS, env: this.env,
      }, (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout, stderr }));
        else resolve(stdout);
      });
    });
  }

  up(): string {
    return this.cli('up', '--port', String(this.apiPort), '--etcd-port', String(this.apiPort - ETCD_PORT_OFFSET), '--port-base', String(this.apiPort + PORT_BASE_OFFSET),
      '--limits', 'off', ...this.upArgs);
  }

  down(): string {
    return this.cli('down');
  }

  status(): StatusReport {
    return JSON.parse(this.cli('status', '--json')) as StatusReport;
  }

  async statusAsync(): Promise<StatusReport> {
    return JSON.parse(await this.cliAsync('status', '--json')) as StatusReport;
  }

  /** Stops the cluster and removes its data (keeps it if SHOAL_E2E_KEEP is set, for debugging). */
  destroy(): void {
    try { this.down(); } finally {
      if (!process.env['SHOAL_E2E_KEEP']) rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

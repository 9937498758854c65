/**
 * Runs the real local cluster for end-to-end tests through the CLI, on a
 * temporary data directory and non-default ports, and gives the tests the
 * CLI's commands (status --json, down, up).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/cluster-config';
import type { StatusReport } from '../../src/commands/status';

/** Ports of the e2e cluster (away from the defaults 2379/4567/4600.., so a dev cluster can keep running). */
export const E2E_API_PORT = Number(process.env['SHOAL_E2E_API_PORT'] ?? 33567);
export const E2E_ETCD_PORT = E2E_API_PORT - 188;
export const E2E_PORT_BASE = E2E_API_PORT + 33;
const CLI_TIMEOUT_MS = 120_000;

export class ClusterHarness {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'shoal-e2e-'));
  readonly endpoint = `http://127.0.0.1:${E2E_API_PORT}`;

  cli(...args: string[]): string {
    return execFileSync(process.execPath, [join(REPO_ROOT, 'packages/cli/dist/src/main.js'), 'cluster', ...args, '--data', this.dataDir], {
      encoding: 'utf8', timeout: CLI_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  up(): string {
    return this.cli('up', '--port', String(E2E_API_PORT), '--etcd-port', String(E2E_ETCD_PORT), '--port-base', String(E2E_PORT_BASE), '--limits', 'off');
  }

  down(): string {
    return this.cli('down');
  }

  status(): StatusReport {
    return JSON.parse(this.cli('status', '--json')) as StatusReport;
  }

  /** Stops the cluster and removes its data (keeps it if SHOAL_E2E_KEEP is set, for debugging). */
  destroy(): void {
    try { this.down(); } finally {
      if (!process.env['SHOAL_E2E_KEEP']) rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

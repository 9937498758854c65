/**
 * DIR/cluster.json: what `up` started, so `status` and `down` find it.
 * Format (JSON, version 1):
 *   { "version": 1, "config": ClusterConfig,
 *     "processes": { "<name>": { "name", "role", "az"?, "pid", "address",
 *                                "healthUrl", "logFile", "argv": [..] } } }
 * `argv` is the exact command line, compared with /proc/<pid>/cmdline so a
 * reused pid is never taken for (or signalled as) one of ours.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig, Role } from './cluster-config';

export interface ProcessEntry {
  readonly name: string;
  readonly role: Role;
  readonly az?: string;
  readonly pid: number;
  readonly address: string;
  readonly healthUrl: string;
  readonly logFile: string;
  readonly argv: readonly string[];
}

export interface ClusterState {
  readonly version: 1;
  config: ClusterConfig;
  processes: Record<string, ProcessEntry>;
}

export function statePath(dataDir: string): string {
  return join(dataDir, 'cluster.json');
}

export function readState(dataDir: string): ClusterState | undefined {
  const path = statePath(dataDir);
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, 'utf8')) as ClusterState;
  if (state.version !== 1) throw new Error(`${path}: unknown version ${String(state.version)}`);
  return state;
}

/** Writes atomically (temp file + rename), so a crash never leaves half a file. */
export function writeState(dataDir: string, state: ClusterState): void {
  const path = statePath(dataDir);
  writeFileSync(path + '.tmp', JSON.stringify(state, null, 2) + '\n');
  renameSync(path + '.tmp', path);
}

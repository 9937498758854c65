/**
 * `cluster up`: starts whatever of the cluster is not running (etcd, the
 * storage nodes, the controller, the api), detached, and returns once each
 * group is healthy and every node is registered in etcd.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { clusterSpecs, configFromFlags, defaultConfig, etcdUrl, HOST, tlsCertPath, tlsPortOf, type ClusterConfig, type ProcessSpec } from '../cluster-config';
import { readState, writeState, type ClusterState } from '../cluster-state';
import { ensureMasterKey, masterKeyPath } from '../master-key-file';
import { isHealthy, portInUse, registeredNodes, waitUntil } from '../probes';
import { isRunning, logTail, startDetached } from '../processes';
import type { Flags } from '@shoal/wire';

export type Out = (line: string) => void;

/** Absolute path of `command` on PATH (so /proc cmdline comparisons are exact). */
function whichCommand(command: string): string {
  if (command.includes('/')) return command;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const path = join(dir, command);
    try { accessSync(path, constants.X_OK); return path; } catch { /* next */ }
  }
  throw new Error(`${command} not found on PATH (scripts/cluster installs etcd-server)`);
}

/** The configuration of DIR: the saved one with flags on top, or defaults with flags on top. */
function loadConfig(flags: Flags): { config: ClusterConfig; state: ClusterState } {
  const base = defaultConfig(flags.string('data', './data'));
  const saved = readState(base.dataDir);
  const config = configFromFlags(flags, saved?.config ?? base);
  const state: ClusterState = saved ?? { version: 1, config, processes: {} };
  state.config = config;
  return { config, state };
}

export async function up(flags: Flags, out: Out): Promise<ClusterState> {
  const { config, state } = loadConfig(flags);
  mkdirSync(join(config.dataDir, 'logs'), { recursive: true });
  writeState(config.dataDir, state);
  const specs = clusterSpecs(config);
  await refuseBusyPorts(state, [specs.etcd, ...specs.nodes, ...specs.controllers, specs.api]);
  await ensureGroup(state, [specs.etcd], out, async () => true);
  await ensureGroup(state, specs.nodes, out, async () => {
    const registered = new Set((await registeredNodes(etcdUrl(config))).map((n) => n.nodeId));
    return specs.nodes.every((n) => registered.has(n.name));
  });
  await ensureGroup(state, specs.controllers, out, async () => true);
  if (ensureMasterKey(config.dataDir)) out(`created the master key for encryption at rest: ${masterKeyPath(config.dataDir)} (mode 0600)`);
  await ensureGroup(state, [specs.api], out, async () => true);
  out(`shoal is up: Kinesis endpoint http://127.0.0.1:${config.apiPort} (data ${config.dataDir}, logs ${join(config.dataDir, 'logs')})`);
  if (tlsPortOf(config) > 0) out(`  HTTPS (h2, http/1.1): https://localhost:${tlsPortOf(config)}, certificate ${tlsCertPath(config)} (AWS_CA_BUNDLE / NODE_EXTRA_CA_CERTS)`);
  out(config.auth === 'sigv4' ? `  authentication: SigV4 verified against ${config.credentialsFile}` : '  authentication: any credentials (signatures not checked; --auth sigv4 --credentials FILE to verify)');
  return state;
}

/** Whether `up` started `spec` earlier and that process still runs (it is left alone). */
function alreadyRunning(state: ClusterState, spec: ProcessSpec): boolean {
  const known = state.processes[spec.name];
  return known !== undefined && isRunning(known);
}

/**
 * Throws, before anything starts, when a port of a process that is not
 * running yet is taken: another cluster (or any program) listening there
 * would answer the health checks, and `up` would report a cluster that is
 * not its own.
 */
async function refuseBusyPorts(state: ClusterState, specs: readonly ProcessSpec[]): Promise<void> {
  const busy: string[] = [];
  for (const spec of specs) {
    if (alreadyRunning(state, spec)) continue;
    for (const port of spec.ports) if (await portInUse(HOST, port)) busy.push(`${port} (${spec.name})`);
  }
  if (busy.length === 0) return;
  throw new Error(`cannot start: port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} already in use on ${HOST}. `
    + `Another cluster may be running (scripts/cluster status --data DIR; scripts/cluster down --data DIR), `
    + `or choose other ports with --port, --tls-port, --etcd-port and --port-base.`);
}

/** Starts the specs that are not running, then waits until all are healthy and `ready()` holds. */
async function ensureGroup(state: ClusterState, specs: readonly ProcessSpec[], out: Out, ready: () => Promise<boolean>): Promise<void> {
  for (const spec of specs) {
    if (alreadyRunning(state, spec)) continue;
    const entry = startDetached(spec, whichCommand(spec.command));
    state.processes[spec.name] = entry;
    writeState(state.config.dataDir, state);
    out(`started ${spec.name} (${spec.role}${spec.az ? ' ' + spec.az : ''}) pid ${entry.pid}, log ${spec.logFile}`);
  }
  const entries = specs.map((s) => state.processes[s.name]!);
  const what = specs.length === 1 ? specs[0]!.name : `${specs[0]!.role}s`;
  try {
    await waitUntil(`${what} did not become ready`, async () => {
      const health = await Promise.all(entries.map((e) => isHealthy(e.healthUrl)));
      // Each process must still be alive: a health answer alone could come from another listener.
      return health.every(Boolean) && entries.every((e) => isRunning(e)) && (await ready());
    }, () => {
      const dead = entries.find((e) => !isRunning(e));
      return dead ? `${dead.name} exited` : undefined;
    });
  } catch (err) {
    const tails = entries.map((e) => `--- ${e.name}: ${e.logFile} (last lines)\n${logTail(e.logFile)}`).join('\n');
    throw new Error(`${(err as Error).message}\n${tails}`);
  }
}

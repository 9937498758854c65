/**
 * The local cluster's layout: from the flags of `scripts/cluster up` (or
 * the configuration saved by an earlier `up`), every process to run, with
 * its command line, addresses, health URL and log file.
 *
 * Ports: api --port (4567), its HTTPS --tls-port (default --port + 1, so
 * 4568; `off` = no TLS), etcd --etcd-port (2379) and +1 for its peer
 * port; storage node i (a1, b1, c1, a2, ...) gRPC on port-base + i and
 * HTTP on port-base + 100 + i; the controller's HTTP on port-base + 200.
 */
import { join, resolve } from 'node:path';
import type { Flags } from '@shoal/wire';
import { CONTROLLERS_MAX, NODES_PER_AZ_MAX } from './cli-limits';
import { masterKeyPath } from './master-key-file';

export const AZS = ['az-a', 'az-b', 'az-c'] as const;
export const HOST = '127.0.0.1';
const HTTP_PORT_OFFSET = 100;
const CONTROLLER_PORT_OFFSET = 200;

export interface ClusterConfig {
  /** Absolute path of the cluster's data directory. */
  readonly dataDir: string;
  readonly nodesPerAz: number;
  readonly apiPort: number;
  readonly etcdPort: number;
  readonly portBase: number;
  readonly limits: 'on' | 'off';
  /** Storage nodes' lease TTL (a dead node's shards fail over after about this). Absent in older cluster.json: 5. */
  readonly leaseTtlSec?: number;
  /** How long a node may be gone before the controller re-replicates its shards. Absent in older cluster.json: 30. */
  readonly rereplicationGraceSec?: number;
  /** Controller processes (one active, the rest standbys). Absent in older cluster.json: 1. */
  readonly controllers?: number;
  /** Controller: reshard rollback timeout, on-demand window and cool-down (absent: the controller's defaults). */
  readonly reshardTimeoutSec?: number;
  readonly ondemandWindowSec?: number;
  readonly ondemandCooldownSec?: number;
  /** Controller rebalancing of replicas and leaders (absent in older cluster.json: on). */
  readonly rebalance?: 'on' | 'off';
  /** api authentication: 'sigv4' verifies signatures against `credentialsFile` (absent: none). */
  readonly auth?: 'none' | 'sigv4';
  /** Absolute path of the shared-credentials file (with auth sigv4). */
  readonly credentialsFile?: string;
  /** api HTTPS port; 0 = no TLS (absent in older cluster.json: api port + 1). */
  readonly tlsPort?: number;
  /** The operator's certificate and key (absent: a self-signed one in DATA/tls), and extra names for the self-signed one. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsHosts?: readonly string[];
  /** The api's account shard quota (--shard-limit; absent: AWS's default for the region). */
  readonly shardLimit?: number;
  /** Storage nodes' --fsync (absent: the nodes' default). */
  readonly fsync?: 'on' | 'off';
}

const LEASE_TTL_SEC_DEFAULT = 5;
const REREPLICATION_GRACE_SEC_DEFAULT = 30;

export type Role = 'etcd' | 'storage-node' | 'controller' | 'api';

export interface ProcessSpec {
  readonly name: string;
  readonly role: Role;
  readonly az?: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The address clients use (etcd client URL, gRPC host:port, API URL, ops URL). */
  readonly address: string;
  readonly healthUrl: string;
  /** Every port it listens on (on HOST): `up` checks they are free before it starts anything. */
  readonly ports: readonly number[];
  readonly logFile: string;
}

/** The repository root (this file is packages/cli/dist/src/cluster-config.js). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

export function defaultConfig(dataDir: string): ClusterConfig {
  return {
    dataDir: resolve(dataDir), nodesPerAz: 1, apiPort: 4567, etcdPort: 2379, portBase: 4600, limits: 'on',
    leaseTtlSec: LEASE_TTL_SEC_DEFAULT, rereplicationGraceSec: REREPLICATION_GRACE_SEC_DEFAULT,
  };
}

/** Flags override `base` (the saved configuration, or the defaults). */
export function configFromFlags(flags: Flags, base: ClusterConfig): ClusterConfig {
  const config: ClusterConfig = {
    dataDir: base.dataDir,
    nodesPerAz: flags.int('nodes-per-az', base.nodesPerAz),
    apiPort: flags.int('port', base.apiPort),
    etcdPort: flags.int('etcd-port', base.etcdPort),
    portBase: flags.int('port-base', base.portBase),
    limits: flags.string('limits', base.limits) === 'off' ? 'off' : 'on',
    leaseTtlSec: flags.int('lease-ttl-sec', base.leaseTtlSec ?? LEASE_TTL_SEC_DEFAULT),
    rereplicationGraceSec: flags.int('rereplication-grace-sec', base.rereplicationGraceSec ?? REREPLICATION_GRACE_SEC_DEFAULT),
    controllers: flags.int('controllers', base.controllers ?? 1),
    ...optionalInt(flags, 'reshard-timeout-sec', 'reshardTimeoutSec', base.reshardTimeoutSec),
    ...optionalInt(flags, 'ondemand-window-sec', 'ondemandWindowSec', base.ondemandWindowSec),
    ...optionalInt(flags, 'ondemand-cooldown-sec', 'ondemandCooldownSec', base.ondemandCooldownSec),
    rebalance: flags.string('rebalance', base.rebalance ?? 'on') === 'off' ? 'off' : 'on',
    ...securityFromFlags(flags, base),
    ...(flags.optionalString('shard-limit') !== undefined ? { shardLimit: flags.int('shard-limit', 0) } : base.shardLimit !== undefined ? { shardLimit: base.shardLimit } : {}),
    ...optionalOnOff(flags, 'fsync', base.fsync),
  };
  if (config.auth === 'sigv4' && config.credentialsFile === undefined) throw new Error('--auth sigv4 needs --credentials FILE');
  if ((config.controllers ?? 1) < 1 || (config.controllers ?? 1) > CONTROLLERS_MAX) throw new Error(`--controllers must be 1..${CONTROLLERS_MAX}`);
  if ((config.leaseTtlSec ?? 0) < 2) throw new Error('--lease-ttl-sec must be at least 2');
  if ((config.rereplicationGraceSec ?? -1) < 0) throw new Error('--rereplication-grace-sec must be >= 0');
  if (config.nodesPerAz < 1 || config.nodesPerAz > NODES_PER_AZ_MAX) throw new Error(`--nodes-per-az must be 1..${NODES_PER_AZ_MAX}`);
  for (const p of [config.apiPort, config.etcdPort, config.portBase + CONTROLLER_PORT_OFFSET]) {
    if (p < 1 || p > 65535) throw new Error(`port out of range: ${p}`);
  }
  return config;
}

/** --auth, --credentials and the TLS flags, over the saved configuration. */
function securityFromFlags(flags: Flags, base: ClusterConfig): Pick<ClusterConfig, 'auth' | 'credentialsFile' | 'tlsPort' | 'tlsCert' | 'tlsKey' | 'tlsHosts'> {
  const auth = flags.string('auth', base.auth ?? 'none');
  if (auth !== 'none' && auth !== 'sigv4') throw new Error(`--auth must be none or sigv4, not ${auth}`);
  const credentials = flags.optionalString('credentials');
  const tlsPortFlag = flags.optionalString('tls-port');
  const tlsPort = tlsPortFlag === 'off' ? 0 : tlsPortFlag !== undefined ? flags.int('tls-port', 0) : base.tlsPort;
  if (tlsPort !== undefined && (tlsPort < 0 || tlsPort > 65535)) throw new Error(`port out of range: ${tlsPort}`);
  const path = (flag: string, saved: string | undefined): string | undefined => {
    const given = flags.optionalString(flag);
    return given !== undefined ? resolve(given) : saved;
  };
  const tlsCert = path('tls-cert', base.tlsCert);
  const tlsKey = path('tls-key', base.tlsKey);
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new Error('--tls-cert and --tls-key must be given together');
  const tlsHosts = flags.optionalString('tls-host') !== undefined ? flags.list('tls-host', []) : base.tlsHosts;
  return {
    auth,
    ...(credentials !== undefined ? { credentialsFile: resolve(credentials) } : base.credentialsFile !== undefined ? { credentialsFile: base.credentialsFile } : {}),
    ...(tlsPort !== undefined ? { tlsPort } : {}),
    ...(tlsCert !== undefined ? { tlsCert, tlsKey } : {}),
    ...(tlsHosts !== undefined ? { tlsHosts } : {}),
  };
}

/** The api's HTTPS port: --tls-port, else api port + 1; 0 = no TLS. */
export function tlsPortOf(config: ClusterConfig): number {
  return config.tlsPort ?? config.apiPort + 1;
}

/** The certificate clients trust: the operator's, or the self-signed one the api writes in DATA/tls. */
export function tlsCertPath(config: ClusterConfig): string {
  return config.tlsCert ?? join(config.dataDir, 'tls', 'cert.pem');
}

/** An on/off setting given by flag or saved earlier, as an object to spread (absent when neither). */
function optionalOnOff(flags: Flags, flag: 'fsync', saved: 'on' | 'off' | undefined): { fsync?: 'on' | 'off' } {
  const given = flags.optionalString(flag);
  const value = given !== undefined ? (given === 'off' ? 'off' : 'on') : saved;
  return value === undefined ? {} : { [flag]: value };
}

/** A controller setting given by flag or saved earlier, as an object to spread (absent when neither). */
function optionalInt<K extends 'reshardTimeoutSec' | 'ondemandWindowSec' | 'ondemandCooldownSec'>(flags: Flags, flag: string, key: K, saved: number | undefined): Partial<Record<K, number>> {
  const value = flags.optionalString(flag) !== undefined ? flags.int(flag, 0) : saved;
  if (value === undefined) return {};
  if (value < 1) throw new Error(`--${flag} must be >= 1`);
  return { [key]: value } as Partial<Record<K, number>>;
}

export function etcdUrl(config: ClusterConfig): string {
  return `http://${HOST}:${config.etcdPort}`;
}

export function apiUrl(config: ClusterConfig): string {
  return `http://${HOST}:${config.apiPort}`;
}

function entry(pkg: string): string {
  return join(REPO_ROOT, 'packages', pkg, 'dist', 'src', 'main.js');
}

function etcdSpec(config: ClusterConfig): ProcessSpec {
  const client = etcdUrl(config);
  const peer = `http://${HOST}:${config.etcdPort + 1}`;
  return {
    name: 'etcd', role: 'etcd', command: 'etcd', address: client, healthUrl: `${client}/health`, ports: [config.etcdPort, config.etcdPort + 1],
    logFile: join(config.dataDir, 'logs', 'etcd.log'),
    args: [
      '--name', 'shoal', '--data-dir', join(config.dataDir, 'etcd'),
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `shoal=${peer}`,
      '--auto-compaction-mode', 'periodic', '--auto-compaction-retention', '1h',
    ],
  };
}

/** Storage nodes a1, b1, c1, a2, b2, c2, ... with their ports. */
export function nodeSpecs(config: ClusterConfig): ProcessSpec[] {
  const specs: ProcessSpec[] = [];
  for (let n = 0; n < config.nodesPerAz; n++) {
    AZS.forEach((az, a) => {
      const i = n * AZS.length + a;
      const nodeId = `${az.slice(-1)}${n + 1}`;
      const grpcPort = config.portBase + i;
      const httpPort = config.portBase + HTTP_PORT_OFFSET + i;
      specs.push({
        name: nodeId, role: 'storage-node', az, command: process.execPath, address: `${HOST}:${grpcPort}`,
        healthUrl: `http://${HOST}:${httpPort}/healthz`, ports: [grpcPort, httpPort], logFile: join(config.dataDir, 'logs', `${nodeId}.log`),
        args: [
          entry('storage-node'), '--node-id', nodeId, '--az', az, '--host', HOST, '--grpc-port', String(grpcPort), '--http-port', String(httpPort),
          '--data-dir', join(config.dataDir, 'nodes', nodeId), '--etcd', etcdUrl(config), '--limits', config.limits,
          '--lease-ttl-sec', String(config.leaseTtlSec ?? LEASE_TTL_SEC_DEFAULT),
          ...(config.fsync !== undefined ? ['--fsync', config.fsync] : []),
        ],
      });
    });
  }
  return specs;
}

/** Controller i (0-based): the first is named `controller` (older clusters), the others controller-2, ...; HTTP on port-base + 200 + i. */
function controllerSpec(config: ClusterConfig, i = 0): ProcessSpec {
  const httpPort = config.portBase + CONTROLLER_PORT_OFFSET + i;
  const name = i === 0 ? 'controller' : `controller-${i + 1}`;
  const optional: string[] = [];
  if (config.reshardTimeoutSec !== undefined) optional.push('--reshard-timeout-sec', String(config.reshardTimeoutSec));
  if (config.ondemandWindowSec !== undefined) optional.push('--ondemand-window-sec', String(config.ondemandWindowSec));
  if (config.ondemandCooldownSec !== undefined) optional.push('--ondemand-cooldown-sec', String(config.ondemandCooldownSec));
  if (config.rebalance === 'off') optional.push('--rebalance', 'off');
  return {
    name, role: 'controller', command: process.execPath, address: `http://${HOST}:${httpPort}`,
    healthUrl: `http://${HOST}:${httpPort}/healthz`, ports: [httpPort], logFile: join(config.dataDir, 'logs', `${name}.log`),
    args: [
      entry('controller'), '--id', `controller-${i + 1}`, '--host', HOST, '--http-port', String(httpPort), '--etcd', etcdUrl(config),
      '--rereplication-grace-sec', String(config.rereplicationGraceSec ?? REREPLICATION_GRACE_SEC_DEFAULT), ...optional,
    ],
  };
}

function apiSpec(config: ClusterConfig): ProcessSpec {
  const security: string[] = ['--auth', config.auth ?? 'none'];
  if (config.credentialsFile !== undefined) security.push('--credentials', config.credentialsFile);
  if (tlsPortOf(config) > 0) {
    security.push('--tls-port', String(tlsPortOf(config)), '--tls-dir', join(config.dataDir, 'tls'));
    if (config.tlsCert !== undefined && config.tlsKey !== undefined) security.push('--tls-cert', config.tlsCert, '--tls-key', config.tlsKey);
    if (config.tlsHosts !== undefined && config.tlsHosts.length > 0) security.push('--tls-host', config.tlsHosts.join(','));
  }
  return {
    name: 'api', role: 'api', command: process.execPath, address: apiUrl(config),
    healthUrl: `${apiUrl(config)}/healthz`, ports: tlsPortOf(config) > 0 ? [config.apiPort, tlsPortOf(config)] : [config.apiPort],
    logFile: join(config.dataDir, 'logs', 'api.log'),
    args: [
      entry('api'), '--host', HOST, '--port', String(config.apiPort), '--etcd', etcdUrl(config), '--master-key-file', masterKeyPath(config.dataDir),
      ...(config.shardLimit !== undefined ? ['--shard-limit', String(config.shardLimit)] : []), ...security,
    ],
  };
}

/** Start order: etcd, the storage nodes, the controller, the api. Stop in reverse. */
export function clusterSpecs(config: ClusterConfig): { etcd: ProcessSpec; nodes: ProcessSpec[]; controller: ProcessSpec; controllers: ProcessSpec[]; api: ProcessSpec } {
  const controllers = Array.from({ length: config.controllers ?? 1 }, (_, i) => controllerSpec(config, i));
  return { etcd: etcdSpec(config), nodes: nodeSpecs(config), controller: controllers[0]!, controllers, api: apiSpec(config) };
}

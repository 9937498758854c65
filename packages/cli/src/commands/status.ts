/**
 * `cluster status [--json]`: every process of the cluster (role, AZ, pid,
 * address, alive, healthy), then from etcd every stream and shard with its
 * replicas (and their AZs), leader, epoch and ISR, enriched with each
 * replica's own view (role, log end, high watermark) from the node's
 * Status gRPC when the node answers in time, and each replica's lag: the
 * leader's log end minus the replica's log end (records it still lacks).
 * Also pending move-leader requests and drained nodes.
 */
import * as grpc from '@grpc/grpc-js';
import { MetadataStore, type MoveLeaderRequest, type NodeRecord, type ShardRecord } from '@shoal/metadata';
import { GRPC_CHANNEL_OPTIONS, loadProto, type Flags, type StatusResponse__Output } from '@shoal/wire';
import { PROBE_TIMEOUT_MS } from '../cli-limits';
import { defaultConfig } from '../cluster-config';
import { readState } from '../cluster-state';
import { isHealthy } from '../probes';
import { isRunning } from '../processes';
import type { Out } from './up';

export interface ReplicaReport {
  nodeId: string;
  az: string | undefined;
  live: boolean;
  role?: string;
  epoch?: number;
  logEndOffset?: number;
  highWatermark?: number;
  /** Leader's log end minus this replica's log end, when both nodes answered. */
  lag?: number;
}

export interface StatusReport {
  dataDir: string;
  processes: Array<{ name: string; role: string; az?: string; pid: number; address: string; alive: boolean; healthy: boolean }>;
  nodes: NodeRecord[];
  /** Drained node ids (scripts/cluster drain). */
  drained: string[];
  /** Pending or refused move-leader requests. */
  moveLeaderRequests: MoveLeaderRequest[];
  streams: Array<{
    streamName: string; streamId: string; status: string;
    shards: Array<{ shardId: string; hashKeyStart: string; hashKeyEnd: string; leader: string; epoch: number; isr: string[]; replicas: ReplicaReport[] }>;
  }>;
  etcdError?: string;
}

function nodeStatus(address: string): Promise<StatusResponse__Output | undefined> {
  const Client = loadProto().shoal.v1.StorageNode;
  const client = new Client(address, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  return new Promise((resolve) => {
    client.Status({}, { deadline: new Date(Date.now() + PROBE_TIMEOUT_MS) }, (err, res) => {
      client.close();
      resolve(err || !res ? undefined : res);
    });
  });
}

/** Each replica of `sh` as its node reported it (or as etcd knows it), with its lag behind the leader. */
function replicaReports(sh: ShardRecord, replicaOf: ReadonlyMap<string, ReplicaReport>, nodes: ReadonlyMap<string, NodeRecord>): ReplicaReport[] {
  const reports = sh.replicas.map((id) => ({ ...(replicaOf.get(`${id}/${sh.streamId}/${sh.shardId}`) ?? { nodeId: id, az: nodes.get(id)?.az, live: nodes.has(id) }) }));
  const leaderEnd = reports.find((r) => r.nodeId === sh.leader)?.logEndOffset;
  for (const r of reports) {
    if (leaderEnd !== undefined && r.logEndOffset !== undefined) r.lag = Math.max(0, leaderEnd - r.logEndOffset);
  }
  return reports;
}

async function clusterFromEtcd(report: StatusReport, endpoint: string): Promise<void> {
  const store = new MetadataStore({ endpoints: [endpoint], callTimeoutMs: PROBE_TIMEOUT_MS });
  try {
    await store.start();
    const view = store.view;
    report.nodes = [...view.nodes.values()].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    const statuses = await Promise.all(report.nodes.map(async (n) => [n.nodeId, await nodeStatus(n.grpcAddress)] as const));
    const replicaOf = new Map<string, ReplicaReport>();
    for (const [nodeId, st] of statuses) {
      for (const r of st?.replicas ?? []) {
        replicaOf.set(`${nodeId}/${r.shard?.stream_id}/${r.shard?.shard_id}`, {
          nodeId, az: st!.az, live: true, role: r.role, epoch: r.epoch, logEndOffset: r.log_end_offset, highWatermark: r.high_watermark,
        });
      }
    }
    for (const s of [...view.streams.values()].sort((a, b) => a.value.streamName.localeCompare(b.value.streamName))) {
      report.streams.push({
        streamName: s.value.streamName, streamId: s.value.streamId, status: s.value.status,
        shards: view.shardsOf(s.value.streamId).map(({ value: sh }) => ({
          shardId: sh.shardId, hashKeyStart: sh.hashKeyStart, hashKeyEnd: sh.hashKeyEnd, leader: sh.leader, epoch: sh.epoch, isr: [...sh.isr],
          replicas: replicaReports(sh, replicaOf, view.nodes),
        })),
      });
    }
    report.drained = [...view.drains.keys()].sort();
    report.moveLeaderRequests = [...view.moveLeaderRequests.values()].map((r) => r.value);
  } catch (err) {
    report.etcdError = (err as Error).message;
  } finally {
    await store.close().catch(() => undefined);
  }
}

export async function collectStatus(dataDir: string): Promise<StatusReport> {
  const state = readState(dataDir);
  const report: StatusReport = { dataDir, processes: [], nodes: [], drained: [], moveLeaderRequests: [], streams: [] };
  if (!state) { report.etcdError = `no cluster in ${dataDir}`; return report; }
  report.processes = await Promise.all(Object.values(state.processes).map(async (p) => {
    const alive = isRunning(p);
    const base = { name: p.name, role: p.role, pid: p.pid, address: p.address, alive, healthy: alive && await isHealthy(p.healthUrl) };
    return p.az ? { ...base, az: p.az } : base;
  }));
  // The address etcd was started on (a harness may place it off loopback), not the configured default host;
  // with several members (etcd-1, etcd-2, ...) any one that runs.
  const etcd = Object.values(state.processes).find((p) => p.role === 'etcd' && isRunning(p));
  if (etcd) await clusterFromEtcd(report, etcd.address);
  else report.etcdError = 'etcd is not running';
  return report;
}

export async function status(flags: Flags, out: Out): Promise<void> {
  const report = await collectStatus(defaultConfig(flags.string('data', './data')).dataDir);
  if (flags.bool('json', false)) { out(JSON.stringify(report, null, 2)); return; }
  out(`cluster in ${report.dataDir}`);
  out('PROCESS      ROLE          AZ     PID      ADDRESS                     ALIVE  HEALTHY');
  for (const p of report.processes) {
    out(`${p.name.padEnd(12)} ${p.role.padEnd(13)} ${(p.az ?? '-').padEnd(6)} ${String(p.pid).padEnd(8)} ${p.address.padEnd(27)} ${String(p.alive).padEnd(6)} ${p.healthy}`);
  }
  if (report.etcdError) { out(`etcd: ${report.etcdError}`); return; }
  out(`registered nodes: ${report.nodes.map((n) => `${n.nodeId}(${n.az})`).join(' ') || 'none'}`);
  if (report.drained.length > 0) out(`drained nodes: ${report.drained.join(' ')}`);
  for (const r of report.moveLeaderRequests) out(`move-leader request: ${r.shardId} -> ${r.to}${r.refused ? ` (refused: ${r.refused})` : ' (pending)'}`);
  for (const s of report.streams) {
    out(`stream ${s.streamName} ${s.status} (${s.shards.length} shards)`);
    for (const sh of s.shards) {
      const replicas = sh.replicas.map((r) => `${r.nodeId}/${r.az ?? '?'}${r.live ? '' : '(down)'}${r.logEndOffset !== undefined ? ` end=${r.logEndOffset} hw=${r.highWatermark ?? 0} lag=${r.lag ?? '?'}` : ''}`).join(', ');
      out(`  ${sh.shardId} leader=${sh.leader} epoch=${sh.epoch} isr=[${sh.isr.join(',')}] replicas: ${replicas}`);
    }
  }
}

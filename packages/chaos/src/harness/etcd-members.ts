/**
 * etcd as a cluster of several members (a real deployment runs 3), for the
 * harness: member i (1-based, named etcd-i) serves clients on etcd-port +
 * 2(i - 1) and its peers on the port after, with a static
 * --initial-cluster on loopback. Member 1 uses the single member's ports.
 * Every product process is given all client URLs in its --etcd list (the
 * product's MetadataStore fails over between them), and the link proxies
 * map each member's address like the single member's.
 *
 * The current raft leader is found with each member's status
 * (POST /v3/maintenance/status, etcd's gRPC gateway): the member whose own
 * id is the leader id it reports.
 */
import { join } from 'node:path';
import type { ProcessSpec } from '@shoal/cli';

const HOST = '127.0.0.1';
/** Deadline of one member status request. */
const STATUS_TIMEOUT_MS = 1_000;
export const ETCD_MEMBERS_MAX = 5;

function etcdMemberName(i: number): string {
  return `etcd-${i + 1}`;
}

/** The specs of `count` members (count 1: the single member `single` itself, unchanged). */
export function etcdMemberSpecs(single: ProcessSpec, etcdPort: number, dataDir: string, count: number): ProcessSpec[] {
  if (!Number.isInteger(count) || count < 1 || count > ETCD_MEMBERS_MAX) throw new Error(`etcd members must be 1..${ETCD_MEMBERS_MAX}, not ${count}`);
  if (count === 1) return [single];
  const client = (i: number): string => `http://${HOST}:${etcdPort + 2 * i}`;
  const peer = (i: number): string => `http://${HOST}:${etcdPort + 2 * i + 1}`;
  const names = Array.from({ length: count }, (_, i) => etcdMemberName(i));
  const initialCluster = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  return names.map((name, i) => ({
    name, role: 'etcd', command: single.command, address: client(i), healthUrl: `${client(i)}/health`, ports: [etcdPort + 2 * i, etcdPort + 2 * i + 1],
    logFile: join(dataDir, 'logs', `${name}.log`),
    args: [
      '--name', name, '--data-dir', join(dataDir, name),
      '--listen-client-urls', client(i), '--advertise-client-urls', client(i),
      '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i),
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'shoal-chaos',
      '--auto-compaction-mode', 'periodic', '--auto-compaction-retention', '1h',
    ],
  }));
}

/** `spec` with its --etcd value replaced by every member's client URL (unchanged when it has no --etcd). */
export function withEtcdEndpoints(spec: ProcessSpec, endpoints: readonly string[]): ProcessSpec {
  const i = spec.args.indexOf('--etcd');
  if (i < 0) return spec;
  const args = [...spec.args];
  args[i + 1] = endpoints.join(',');
  return { ...spec, args };
}

interface MemberStatus {
  readonly header?: { readonly member_id?: string };
  readonly leader?: string;
}

async function status(clientUrl: string): Promise<MemberStatus | undefined> {
  try {
    const res = await fetch(`${clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    return res.ok ? ((await res.json()) as MemberStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** The member that is the raft leader (by its own status), or undefined when none answers as leader. */
export async function etcdLeader(members: readonly Pick<ProcessSpec, 'name' | 'address'>[]): Promise<string | undefined> {
  const statuses = await Promise.all(members.map((m) => status(m.address)));
  return leaderOf(members.map((m, i) => ({ name: m.name, status: statuses[i] })));
}

/** Pure part of etcdLeader: the member whose own id equals the leader id it reports. */
export function leaderOf(members: readonly { name: string; status: MemberStatus | undefined }[]): string | undefined {
  return members.find((m) => m.status?.leader !== undefined && m.status.leader !== '0' && m.status.header?.member_id === m.status.leader)?.name;
}

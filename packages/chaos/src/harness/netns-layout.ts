/**
 * The address plan of the `--net netns` mode (pure: no I/O). Every cluster
 * process but etcd runs in a network namespace of its own, joined to a
 * bridge in the root namespace by a veth pair; the processes of one AZ get
 * addresses in that AZ's /28 block, so an AZ is a subnet that nftables
 * rules can name. One namespace per process, not per AZ: processes sharing
 * a namespace share its source address, and the zombie-leader fault must
 * cut one storage node off from etcd while the api of its AZ keeps etcd.
 *
 * Addresses in the /24 SUBNET (x.y.z.0/24):
 *   x.y.z.1         the bridge, in the root namespace: the source address of
 *                   the harness (workload clients, health probes, its etcd view)
 *   x.y.z.2         a second bridge address where etcd listens (outside the
 *                   AZs), so a rule can cut etcd without cutting the clients
 *   x.y.z.(16k+1..) the processes of AZ k (az-a k=1, az-b k=2, az-c k=3),
 *                   block x.y.z.16k/28, in the order given
 * Names: namespace PREFIX-<process>, bridge PREFIXbr0, host-side veth
 * PREFIXv<i> (the namespace side is renamed eth0).
 */
import type { ProcessSpec } from '@shoal/cli';

export interface NetnsMember {
  readonly name: string;
  readonly az: string;
  readonly netns: string;
  readonly vethHost: string;
  readonly address: string;
}

export interface NetnsLayout {
  readonly prefix: string;
  readonly bridge: string;
  /** Prefix length of every address (the whole plan is one /24 on the bridge). */
  readonly prefixLength: 24;
  readonly clientAddress: string;
  readonly etcdAddress: string;
  readonly members: readonly NetnsMember[];
  /** AZ name to its block ("x.y.z.16/28"). */
  readonly azBlocks: Readonly<Record<string, string>>;
}

export const NETNS_AZS = ['az-a', 'az-b', 'az-c'] as const;
const AZ_BLOCK_SIZE = 16;
/** Hosts per AZ block (.1 to .14 of the /28; .0 and .15 are the block's network and broadcast). */
const AZ_MEMBERS_MAX = 14;
/** Linux interface names hold at most 15 bytes: PREFIXbr0 and PREFIXv<i> must fit. */
const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,7}$/;
const SUBNET_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/;

/** The plan for `processes` (every one in one of NETNS_AZS) under `prefix`, in `subnet` ("x.y.z.0/24"). */
export function netnsLayout(prefix: string, subnet: string, processes: ReadonlyArray<{ readonly name: string; readonly az?: string }>): NetnsLayout {
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`netns prefix must match ${PREFIX_PATTERN.source}: ${prefix}`);
  const m = SUBNET_PATTERN.exec(subnet);
  if (!m || m.slice(1, 4).some((o) => Number(o) > 255)) throw new Error(`netns subnet must be x.y.z.0/24: ${subnet}`);
  const net = `${m[1]!}.${m[2]!}.${m[3]!}`;
  const perAz = new Map<string, number>();
  const members = processes.map((p, i): NetnsMember => {
    const k = NETNS_AZS.indexOf(p.az as (typeof NETNS_AZS)[number]);
    if (k < 0) throw new Error(`${p.name}: netns mode places processes in ${NETNS_AZS.join(', ')}, not ${p.az ?? 'no AZ'}`);
    const n = (perAz.get(p.az!) ?? 0) + 1;
    if (n > AZ_MEMBERS_MAX) throw new Error(`more than ${AZ_MEMBERS_MAX} processes in ${p.az!}`);
    perAz.set(p.az!, n);
    return { name: p.name, az: p.az!, netns: `${prefix}-${p.name}`, vethHost: `${prefix}v${i}`, address: `${net}.${AZ_BLOCK_SIZE * (k + 1) + n}` };
  });
  const azBlocks = Object.fromEntries(NETNS_AZS.map((az, k) => [az, `${net}.${AZ_BLOCK_SIZE * (k + 1)}/28`]));
  return { prefix, bridge: `${prefix}br0`, prefixLength: 24, clientAddress: `${net}.1`, etcdAddress: `${net}.2`, members, azBlocks };
}

export function memberOf(layout: NetnsLayout, name: string): NetnsMember | undefined {
  return layout.members.find((m) => m.name === name);
}

const LOOPBACK = '127.0.0.1';

/**
 * `spec` moved onto the plan: every 127.0.0.1 in its flags, address and
 * health URL becomes its own address (etcd: the etcd address), except the
 * value of `--etcd`, which becomes the etcd address.
 */
export function placeSpec(spec: ProcessSpec, layout: NetnsLayout): ProcessSpec {
  const own = spec.role === 'etcd' ? layout.etcdAddress : memberOf(layout, spec.name)?.address;
  if (own === undefined) throw new Error(`${spec.name} has no place in the netns layout`);
  const swap = (s: string, to: string): string => s.split(LOOPBACK).join(to);
  const args = spec.args.map((a, i) => swap(a, spec.args[i - 1] === '--etcd' ? layout.etcdAddress : own));
  return { ...spec, args, address: swap(spec.address, own), healthUrl: swap(spec.healthUrl, own) };
}

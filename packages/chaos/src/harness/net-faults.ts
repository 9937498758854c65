/**
 * Network faults in whichever network the cluster runs on: link proxies
 * (`--net proxy`, the default) or kernel partitions with nftables in
 * network namespaces (`--net netns`). The fault injector calls these so a
 * scenario's schedule means the same cut in both modes. Delay and
 * connection resets exist only in the proxies; in netns mode they throw
 * (main.ts refuses such scenarios before anything starts).
 */
import { SeededRandom } from '../workload/seeded-random';
import type { ClusterControl } from './cluster-control';
import type { FaultStep } from './fault-schedule';
import { around, crossingAz } from './link-net';
import type { LinkMode } from './link-proxy';
import { NETNS_AZS } from './netns-layout';
import type { Scenario } from './scenarios';

export type NetMode = 'proxy' | 'netns';

/** Cuts process `name` off from `peers` (process names, etcd included) both ways; returns what was done. */
export async function isolateProcess(c: ClusterControl, name: string, peers: readonly string[]): Promise<string> {
  if (!c.netns) return `cut off: ${c.links.set(around(name, peers), { kind: 'blackhole' }).join(' ')}`;
  const addresses = peers.filter((p) => p !== name && c.spec(p) !== undefined).map((p) => c.netns!.address(p));
  return c.netns.cut([name], addresses, 'both');
}

/**
 * Cuts AZ `az` off from the other AZs and from etcd, both ways. The
 * harness's clients still reach the AZ's api (proxy mode: clients never
 * pass a proxy; netns mode: they come from the bridge's client address,
 * which no rule names).
 */
export async function partitionAz(c: ClusterControl, az: string): Promise<string> {
  if (!c.netns) {
    const cut = c.links.set(crossingAz(az), { kind: 'blackhole' });
    return `blackhole on ${cut.length} links crossing ${az}`;
  }
  const members = c.netns.layout.members.filter((m) => m.az === az).map((m) => m.name);
  const others = NETNS_AZS.filter((a) => a !== az).map((a) => c.netns!.layout.azBlocks[a]!);
  return c.netns.cut(members, [...others, c.netns.layout.etcdAddress], 'both');
}

/** Proxy-only link modes (delay) on every link crossing `az`. */
export function degradeAz(c: ClusterControl, az: string, mode: LinkMode): string[] {
  if (c.netns) throw new Error(`${mode.kind} on links needs --net proxy (netns mode has no netem here)`);
  return c.links.set(crossingAz(az), mode);
}

/** Proxy-only: RST every connection crossing `az`. */
export function resetAz(c: ClusterControl, az: string): string[] {
  if (c.netns) throw new Error('resetting connections needs --net proxy');
  return c.links.reset(crossingAz(az));
}

/** Every cut removed; returns a description (with the packets nftables dropped, in netns mode). */
export async function healNet(c: ClusterControl): Promise<string> {
  c.links.heal();
  if (!c.netns) return 'links';
  const dropped = await c.netns.heal();
  return `nft rules flushed (${dropped} packets dropped)`;
}

/** Fault actions that only the link proxies can do (several etcd members, too, run in proxy mode only). */
const PROXY_ONLY_ACTIONS: ReadonlySet<string> = new Set(['degrade-az', 'reset-az', 'kill-etcd-leader', 'stop-etcd-majority']);

/** The proxy-only actions in `steps` (empty when the schedule runs in netns mode too). */
export function proxyOnlyActions(steps: readonly FaultStep[]): string[] {
  return [...new Set(steps.map((s) => s.action).filter((a) => PROXY_ONLY_ACTIONS.has(a)))];
}

/**
 * The scenarios that can run on `net` (every one on proxy). In netns mode a
 * scenario named with --scenario that needs the proxies is an error; in a
 * tier run such scenarios are left out and named through `log`.
 */
export function scenariosOnNet(net: NetMode, scenarios: readonly Scenario[], seed: number, only: string | undefined, log: (msg: string) => void): Scenario[] {
  if (net === 'proxy') return [...scenarios];
  const kept: Scenario[] = [];
  for (const s of scenarios) {
    const needs = proxyOnlyActions(s.schedule(new SeededRandom(seed).fork(), s.durationMsDefault));
    if (needs.length === 0) { kept.push(s); continue; }
    const why = `${s.name} needs --net proxy (${needs.join(', ')}: delay and resets come from the link proxies)`;
    if (only !== undefined) throw new Error(why);
    log(`not run: ${why}`);
  }
  return kept;
}

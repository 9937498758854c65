/**
 * The links of a cluster: one LinkProxy per (source process, destination)
 * pair, where destinations are the servers processes dial (etcd, each
 * storage node's gRPC port). Each process is started with SHOAL_DIAL_MAP
 * pointing every destination at its own proxies (the product's one dial
 * hook, packages/wire dial.ts), so a fault can cut exactly one direction
 * of one pair, a whole AZ, or one process off from some peers, without
 * root. Clients of the harness (the workload) connect directly.
 */
import { LinkProxy, PASS, type LinkMode } from './link-proxy';

export interface LinkSource {
  readonly name: string;
  readonly az?: string;
}

export interface LinkDestination extends LinkSource {
  /** The address processes dial ("host:port"), as registered or configured. */
  readonly address: string;
}

export interface Link {
  readonly from: LinkSource;
  readonly to: LinkDestination;
  readonly proxy: LinkProxy;
}

export class LinkNet {
  readonly links: Link[] = [];

  /** Allocates one port per link from `portFirst` (throws past `portLast`). */
  constructor(sources: readonly LinkSource[], destinations: readonly LinkDestination[], portFirst: number, portLast: number) {
    let port = portFirst;
    for (const from of sources) {
      for (const to of destinations) {
        if (from.name === to.name) continue;
        if (port > portLast) throw new Error(`link proxies need more ports than ${portFirst}..${portLast}`);
        const [host, p] = splitHostPort(to.address);
        this.links.push({ from, to, proxy: new LinkProxy(`${from.name}->${to.name}`, port++, host, p) });
      }
    }
  }

  async start(): Promise<void> {
    for (const l of this.links) await l.proxy.start();
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((l) => l.proxy.close()));
  }

  /** The SHOAL_DIAL_MAP of process `source`: every destination it dials, to its own proxy. */
  dialMap(source: string): Record<string, string> {
    const map: Record<string, string> = {};
    for (const l of this.links) if (l.from.name === source) map[l.to.address] = l.proxy.address;
    return map;
  }

  /** Sets `mode` on every link matching `where`; returns their names. */
  set(where: (l: Link) => boolean, mode: LinkMode): string[] {
    const hit = this.links.filter(where);
    for (const l of hit) l.proxy.set(mode);
    return hit.map((l) => l.proxy.name);
  }

  /** RST on every open connection of the links matching `where`. */
  reset(where: (l: Link) => boolean): string[] {
    const hit = this.links.filter(where);
    for (const l of hit) l.proxy.reset();
    return hit.map((l) => l.proxy.name);
  }

  /** Every link back to pass. */
  heal(): void {
    for (const l of this.links) l.proxy.set(PASS);
  }
}

/**
 * Links that cut `name` off from `peers` in both directions (its dials to
 * them and theirs to it); `peers` empty = from everyone it links with.
 */
export function around(name: string, peers: readonly string[]): (l: Link) => boolean {
  const peer = (n: string): boolean => n !== name && (peers.length === 0 || peers.includes(n));
  return (l) => (l.from.name === name && peer(l.to.name)) || (l.to.name === name && peer(l.from.name));
}

/** Links that cross from AZ `az` to any other AZ or back (processes without an AZ, like etcd, count as outside). */
export function crossingAz(az: string): (l: Link) => boolean {
  return (l) => (l.from.az === az) !== (l.to.az === az);
}

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`not host:port: ${address}`);
  return [address.slice(0, i), port];
}

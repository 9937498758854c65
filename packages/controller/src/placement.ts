/**
 * Replica placement for new shards: one replica per AZ in three distinct
 * AZs, the least-loaded live node in each AZ, and leaders spread evenly
 * over the nodes. Pure: the caller passes the live nodes and the current
 * load, and gets the placements back with the load updated in place.
 */
import { limits } from '@shoal/core';
import { isClosedShard, type NodeRecord, type ShardRecord } from '@shoal/metadata';

/** Replicas and leaderships each node holds (counts of shards). */
export interface NodeLoad {
  replicas: number;
  leaders: number;
}

export type LoadTable = Map<string, NodeLoad>;

export interface Placement {
  /** Node ids, one per AZ, sorted by AZ name. */
  readonly replicas: readonly string[];
  readonly leader: string;
}

/** Load of every live node from the shards that exist now. */
export function loadOf(nodes: Iterable<NodeRecord>, shards: Iterable<ShardRecord>): LoadTable {
  const load: LoadTable = new Map();
  for (const n of nodes) load.set(n.nodeId, { replicas: 0, leaders: 0 });
  for (const s of shards) {
    if (isClosedShard(s)) continue; // closed shards take no writes
    for (const r of s.replicas) {
      const l = load.get(r);
      if (l) l.replicas++;
    }
    const l = load.get(s.leader);
    if (l) l.leaders++;
  }
  return load;
}

/** Live nodes grouped by AZ, each group sorted by node id. */
export function nodesByAz(nodes: Iterable<NodeRecord>): Map<string, string[]> {
  const byAz = new Map<string, string[]>();
  for (const n of nodes) {
    let ids = byAz.get(n.az);
    if (!ids) byAz.set(n.az, (ids = []));
    ids.push(n.nodeId);
  }
  for (const ids of byAz.values()) ids.sort();
  return byAz;
}

/** Why placement is impossible now, or undefined if it is possible. */
export function placementBlocker(nodes: Iterable<NodeRecord>): string | undefined {
  const azs = nodesByAz(nodes).size;
  if (azs >= limits.REPLICATION_FACTOR) return undefined;
  return `need live storage nodes in ${limits.REPLICATION_FACTOR} availability zones, have ${azs}`;
}

function leastLoaded(ids: readonly string[], load: LoadTable, key: keyof NodeLoad): string {
  let best = ids[0]!;
  for (const id of ids) {
    if (load.get(id)![key] < load.get(best)![key]) best = id;
  }
  return best;
}

/**
 * Places `count` new shards. The AZs used are the REPLICATION_FACTOR AZs
 * whose nodes carry the fewest replicas (ties by AZ name). Throws if fewer
 * AZs have live nodes (check placementBlocker first).
 */
export function placeShards(nodes: readonly NodeRecord[], load: LoadTable, count: number): Placement[] {
  const blocker = placementBlocker(nodes);
  if (blocker) throw new Error(blocker);
  const byAz = nodesByAz(nodes);
  for (const n of nodes) if (!load.has(n.nodeId)) load.set(n.nodeId, { replicas: 0, leaders: 0 });
  const placements: Placement[] = [];
  for (let i = 0; i < count; i++) {
    const azLoad = (az: string): number => byAz.get(az)!.reduce((sum, id) => sum + load.get(id)!.replicas, 0) / byAz.get(az)!.length;
    const azs = [...byAz.keys()].sort((a, b) => azLoad(a) - azLoad(b) || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limits.REPLICATION_FACTOR)
      .sort();
    const replicas = azs.map((az) => leastLoaded(byAz.get(az)!, load, 'replicas'));
    const leader = leastLoaded(replicas, load, 'leaders');
    for (const r of replicas) load.get(r)!.replicas++;
    load.get(leader)!.leaders++;
    placements.push({ replicas, leader });
  }
  return placements;
}

/**
 * Shard lineage, pure: which shard came from which after splits and merges.
 * `lineageRows` orders a stream's shards as a tree for `shoal describe`;
 * `ShardWalk` decides the order in which `shoal tail` reads them: a shard
 * only after every parent it knows of has been read to its end (or was left
 * out), so the records of one partition key come out in the order they were
 * stored, across any number of reshards.
 */

export interface ShardNode {
  readonly shardId: string;
  readonly parentShardId?: string | undefined;
  readonly adjacentParentShardId?: string | undefined;
}

function parentsOf(node: ShardNode): string[] {
  return [node.parentShardId, node.adjacentParentShardId].filter((p): p is string => p !== undefined);
}

/** Shard ids in numeric order where they are shardId-NNN, text order otherwise. */
function byShardId(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

export interface LineageRow<T extends ShardNode> {
  readonly shard: T;
  /** 0 for a shard without a listed parent; a child is one deeper than the parent it is listed under. */
  readonly depth: number;
  /** A merged shard is listed under its first listed parent; this is the other one. */
  readonly alsoChildOf?: string;
}

/** The shards in tree order: each root, then its descendants depth first, siblings by shard id. */
export function lineageRows<T extends ShardNode>(shards: readonly T[]): LineageRow<T>[] {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const primary = (s: T): string | undefined => parentsOf(s).find((p) => byId.has(p));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const s of shards) {
    const p = primary(s);
    if (p === undefined) roots.push(s);
    else children.set(p, [...(children.get(p) ?? []), s]);
  }
  const rows: LineageRow<T>[] = [];
  const visit = (s: T, depth: number): void => {
    const other = parentsOf(s).find((p) => p !== primary(s) && byId.has(p));
    rows.push(other !== undefined ? { shard: s, depth, alsoChildOf: other } : { shard: s, depth });
    for (const c of (children.get(s.shardId) ?? []).sort((a, b) => byShardId(a.shardId, b.shardId))) visit(c, depth + 1);
  };
  for (const r of roots.sort((a, b) => byShardId(a.shardId, b.shardId))) visit(r, 0);
  return rows;
}

export type WalkState = 'waiting' | 'reading' | 'done' | 'skipped';

export interface ReadyShard {
  readonly shardId: string;
  /** Parents that were read (not skipped and not unknown): the shard continues where they ended. */
  readonly readParents: readonly string[];
}

/**
 * The order of reading for `tail`: parents to their end before their
 * children. A parent missing from the first listing is gone (past the
 * retention period) and does not hold its children back; a parent missing
 * for a shard learned later (a merge whose other parent is itself new) does,
 * until a new listing names it (`add`) or says it is gone (`markGone`).
 */
export class ShardWalk {
  private readonly nodes = new Map<string, ShardNode>();
  private readonly states = new Map<string, WalkState>();
  /** Shards learned after the first listing. */
  private readonly late = new Set<string>();

  /** Every listed shard starts waiting. */
  constructor(shards: readonly ShardNode[]) {
    this.add(shards);
    this.late.clear();
  }

  state(shardId: string): WalkState | undefined { return this.states.get(shardId); }

  /** Leaves a shard out (never read; its children do not wait for it). */
  skip(shardId: string): void {
    if (this.states.get(shardId) === 'waiting') this.states.set(shardId, 'skipped');
  }

  /** Leaves out every ancestor of a shard that is waiting (reading from a sequence number of a later shard). */
  skipAncestorsOf(shardId: string): void {
    const seen = new Set<string>();
    const stack = parentsOf(this.nodes.get(shardId) ?? { shardId });
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      this.skip(id);
      const node = this.nodes.get(id);
      if (node) stack.push(...parentsOf(node));
    }
  }

  /** Learns shards (ChildShards of a closed shard, a new listing); known shards keep their state. */
  add(shards: readonly ShardNode[]): void {
    for (const s of shards) {
      if (this.states.has(s.shardId)) continue;
      this.nodes.set(s.shardId, s);
      this.states.set(s.shardId, 'waiting');
      this.late.add(s.shardId);
    }
  }

  /** Parents of waiting shards that the walk does not know yet (list the stream again and `add` or `markGone` them). */
  unknownParents(): string[] {
    const out = new Set<string>();
    for (const id of this.late) {
      if (this.states.get(id) !== 'waiting') continue;
      for (const p of parentsOf(this.nodes.get(id)!)) if (!this.states.has(p)) out.add(p);
    }
    return [...out].sort(byShardId);
  }

  /** Shards a new listing does not hold: they hold nobody back. */
  markGone(shardIds: readonly string[]): void {
    for (const id of shardIds) if (!this.states.has(id)) this.states.set(id, 'skipped');
  }

  /** The waiting shards whose every known parent is done or skipped, now reading, by shard id. */
  takeReady(): ReadyShard[] {
    const ready: ReadyShard[] = [];
    const ids = [...this.states.keys()].filter((id) => this.states.get(id) === 'waiting').sort(byShardId);
    for (const id of ids) {
      const parents = parentsOf(this.nodes.get(id)!);
      const blocked = parents.some((p) => {
        const st = this.states.get(p);
        return st === 'waiting' || st === 'reading' || (st === undefined && this.late.has(id));
      });
      if (blocked) continue;
      this.states.set(id, 'reading');
      ready.push({ shardId: id, readParents: parents.filter((p) => this.states.get(p) === 'done') });
    }
    return ready;
  }

  /** A shard was read to its end (closed: its children are now known) or reading it stopped (no children). */
  finish(shardId: string, children: readonly ShardNode[]): void {
    if (this.states.get(shardId) !== 'reading') throw new Error(`finish(${shardId}) while ${this.states.get(shardId) ?? 'unknown'}`);
    this.states.set(shardId, 'done');
    this.add(children);
  }

  /** Shards still waiting or being read. */
  get unfinished(): number {
    let n = 0;
    for (const st of this.states.values()) if (st === 'waiting' || st === 'reading') n++;
    return n;
  }
}

/**
 * Resharding as pure planning over a stream's open shards: one *step*
 * closes one or two parents and opens children that cover exactly the
 * parents' ranges (split: one parent, two children; merge: two adjacent
 * parents, one child). A *round* is a set of steps whose parents are
 * disjoint, executed together by the controller (docs/resharding.md).
 *
 * Everything here keeps the invariant that the open shards tile
 * [0, 2^128 - 1] (checkTiling); applyReshardSteps asserts it.
 */
import { HASH_KEY_MAX, evenHashKeyRanges, type HashKeyRange } from './hash-key';
import { checkTiling, type ShardRange } from './shard-map';

/** One split or merge: parent shard ids and the children's ranges (in hash key order). */
export interface ReshardStep {
  readonly parents: readonly string[];
  readonly children: readonly HashKeyRange[];
}

/** Open shards sorted by start. */
function sortedOpen(shards: readonly ShardRange[]): ShardRange[] {
  return shards.filter((s) => s.open).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/**
 * Why SplitShard(parent, newStartingHashKey) is not allowed, or undefined.
 * Kinesis requires start + 1 < key < end (both children non-trivial).
 */
export function splitProblem(parent: ShardRange, newStartingHashKey: bigint): string | undefined {
  if (newStartingHashKey <= parent.start + 1n || newStartingHashKey >= parent.end) {
    return `not both greater than one plus the shard's StartingHashKey ${parent.start} and less than the shard's EndingHashKey ${parent.end}`;
  }
  return undefined;
}

/** The step splitting `parent` at `newStartingHashKey` (check splitProblem first). */
export function splitStep(parent: ShardRange, newStartingHashKey: bigint): ReshardStep {
  if (splitProblem(parent, newStartingHashKey) !== undefined) throw new Error(`bad split of ${parent.shardId} at ${newStartingHashKey}`);
  return { parents: [parent.shardId], children: [{ start: parent.start, end: newStartingHashKey - 1n }, { start: newStartingHashKey, end: parent.end }] };
}

/** The midpoint split of a shard (its range must hold at least 4 keys), or undefined. */
export function midpointSplitStep(parent: ShardRange): ReshardStep | undefined {
  const mid = parent.start + (parent.end - parent.start + 1n) / 2n;
  return splitProblem(parent, mid) === undefined ? splitStep(parent, mid) : undefined;
}

/** True if `a` ends right before `b` starts (in either order the caller checks). */
export function adjacent(a: ShardRange, b: ShardRange): boolean {
  return a.end + 1n === b.start;
}

/** The step merging two adjacent open shards, in hash key order (ParentShardId = the lower one). */
export function mergeStep(lower: ShardRange, upper: ShardRange): ReshardStep {
  if (!adjacent(lower, upper)) throw new Error(`${lower.shardId} and ${upper.shardId} are not adjacent`);
  return { parents: [lower.shardId, upper.shardId], children: [{ start: lower.start, end: upper.end }] };
}

/**
 * undefined if `steps` may run together on `shards`: every parent is open
 * and used once, a merge's parents are adjacent, and each step's children
 * cover exactly its parents' range, in order, without gap or overlap.
 */
export function checkReshardSteps(shards: readonly ShardRange[], steps: readonly ReshardStep[]): string | undefined {
  const byId = new Map(shards.map((s) => [s.shardId, s]));
  const used = new Set<string>();
  for (const step of steps) {
    if (step.parents.length < 1 || step.parents.length > 2) return `a step has ${step.parents.length} parents`;
    const parents: ShardRange[] = [];
    for (const id of step.parents) {
      const p = byId.get(id);
      if (!p || !p.open) return `${id} is not an open shard`;
      if (used.has(id)) return `${id} is a parent twice`;
      used.add(id);
      parents.push(p);
    }
    // A merge may name its parents in either order (MergeShards' ShardToMerge can be the upper one).
    const [a, b] = parents as [ShardRange, ShardRange | undefined];
    const [first, second] = b && b.start < a.start ? [b, a] : [a, b];
    if (second && !adjacent(first, second)) return `${first.shardId} and ${second.shardId} are not adjacent`;
    const start = first.start;
    const end = second ? second.end : first.end;
    let next = start;
    if (step.children.length < 1 || step.children.length > 2) return `a step has ${step.children.length} children`;
    for (const c of step.children) {
      if (c.start !== next || c.end < c.start) return `children of ${step.parents.join('+')} do not tile its range`;
      next = c.end + 1n;
    }
    if (next !== end + 1n) return `children of ${step.parents.join('+')} do not reach its end`;
  }
  return undefined;
}

/**
 * The shard map after `steps`: parents closed, children appended with ids
 * from `newId(i)` (i counts children across steps, in order). Throws if the
 * steps are invalid or the result breaks the tiling (a bug, never data).
 */
export function applyReshardSteps(shards: readonly ShardRange[], steps: readonly ReshardStep[], newId: (i: number) => string): ShardRange[] {
  const problem = checkReshardSteps(shards, steps);
  if (problem !== undefined) throw new Error(`invalid reshard: ${problem}`);
  const closing = new Set(steps.flatMap((s) => s.parents));
  const out = shards.map((s) => (closing.has(s.shardId) ? { ...s, open: false } : s));
  let i = 0;
  for (const step of steps) for (const c of step.children) out.push({ shardId: newId(i++), start: c.start, end: c.end, open: true });
  const tiling = checkTiling(out.filter((s) => s.open));
  if (tiling !== undefined) throw new Error(`reshard breaks the tiling: ${tiling}`);
  return out;
}

/**
 * One round toward `target` open shards with the even ranges of
 * evenHashKeyRanges(target) (UpdateShardCount UNIFORM_SCALING, warm
 * throughput). First splits: every open shard that contains a target
 * boundary strictly inside splits at the middle one of them. Only when no
 * split is needed, merges: two neighbours whose common boundary is not a
 * target boundary merge (pairs chosen left to right, disjoint). Splits never
 * remove a target boundary and merges never cross one, so rounds converge;
 * an empty round means the map has exactly the target ranges. At most
 * `stepsMax` steps per round.
 */
export function planUniformRound(shards: readonly ShardRange[], target: number, stepsMax: number): ReshardStep[] {
  const open = sortedOpen(shards);
  const boundaries = evenHashKeyRanges(target).slice(1).map((r) => r.start);
  const steps: ReshardStep[] = [];
  for (const s of open) {
    if (steps.length >= stepsMax) return steps;
    const inside = boundaries.filter((b) => b > s.start && b <= s.end);
    if (inside.length === 0) continue;
    const at = inside[Math.floor((inside.length - 1) / 2)]!;
    // Kinesis' own split rule refuses a child of one key; a range that small cannot reach `target` evenly anyway.
    if (splitProblem(s, at) === undefined) steps.push(splitStep(s, at));
  }
  if (steps.length > 0) return steps;
  const targetStarts = new Set(boundaries.map((b) => b.toString()));
  for (let i = 1; i < open.length && steps.length < stepsMax; i++) {
    const lower = open[i - 1]!;
    const upper = open[i]!;
    if (targetStarts.has(upper.start.toString())) continue;
    steps.push(mergeStep(lower, upper));
    i++; // upper is taken: the next pair starts after it
  }
  return steps;
}

/** True if the open shards are exactly the even ranges of their count. */
export function isUniform(shards: readonly ShardRange[]): boolean {
  const open = sortedOpen(shards);
  if (open.length === 0) return false;
  const even = evenHashKeyRanges(open.length);
  return open.every((s, i) => s.start === even[i]!.start && s.end === even[i]!.end) && open[open.length - 1]!.end === HASH_KEY_MAX;
}

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { HASH_KEY_MAX, evenHashKeyRanges } from '../src/hash-key';
import {
  applyReshardSteps, checkReshardSteps, isUniform, mergeStep, midpointSplitStep, planUniformRound, splitProblem, splitStep, type ReshardStep,
} from '../src/reshard';
import { shardIdFromIndex } from '../src/shard-id';
import { checkTiling, type ShardRange } from '../src/shard-map';

function evenShards(count: number): ShardRange[] {
  return evenHashKeyRanges(count).map((r, i) => ({ shardId: shardIdFromIndex(i), start: r.start, end: r.end, open: true }));
}

function openSorted(shards: readonly ShardRange[]): ShardRange[] {
  return shards.filter((s) => s.open).sort((a, b) => (a.start < b.start ? -1 : 1));
}

/** A stream's map with lineage, changed only through applyReshardSteps (as the controller does). */
class Stream {
  shards: ShardRange[];
  readonly parentsOf = new Map<string, readonly string[]>();
  next: number;
  constructor(count: number) { this.shards = evenShards(count); this.next = count; }
  apply(steps: readonly ReshardStep[]): void {
    const base = this.next;
    this.shards = applyReshardSteps(this.shards, steps, (i) => shardIdFromIndex(base + i));
    let i = 0;
    for (const st of steps) for (const _c of st.children) this.parentsOf.set(shardIdFromIndex(base + i++), st.parents);
    this.next = base + i;
  }
}

type Command = { kind: 'split'; pick: number } | { kind: 'merge'; pick: number } | { kind: 'uniform'; target: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('split' as const), pick: fc.nat(1000) }),
  fc.record({ kind: fc.constant('merge' as const), pick: fc.nat(1000) }),
  fc.record({ kind: fc.constant('uniform' as const), target: fc.integer({ min: 1, max: 24 }) }),
);

function run(stream: Stream, c: Command): void {
  const open = openSorted(stream.shards);
  if (c.kind === 'split') {
    const step = midpointSplitStep(open[c.pick % open.length]!);
    if (step) stream.apply([step]);
  } else if (c.kind === 'merge') {
    if (open.length < 2) return;
    const i = c.pick % (open.length - 1);
    stream.apply([mergeStep(open[i]!, open[i + 1]!)]);
  } else {
    for (let round = 0; round < 64; round++) {
      const steps = planUniformRound(stream.shards, c.target, 25);
      if (steps.length === 0) break;
      stream.apply(steps);
    }
    assert.ok(isUniform(stream.shards), `uniform after scaling to ${c.target}`);
    assert.equal(openSorted(stream.shards).length, c.target);
  }
}

describe('reshard planning', () => {
  it('split checks the Kinesis bounds: start + 1 < key < end', () => {
    const parent: ShardRange = { shardId: 's', start: 100n, end: 200n, open: true };
    assert.ok(splitProblem(parent, 101n) !== undefined);
    assert.ok(splitProblem(parent, 200n) !== undefined);
    assert.equal(splitProblem(parent, 102n), undefined);
    assert.equal(splitProblem(parent, 199n), undefined);
    assert.deepEqual(splitStep(parent, 150n).children, [{ start: 100n, end: 149n }, { start: 150n, end: 200n }]);
  });

  it('refuses steps that overlap, reuse a parent, merge non-neighbours or leave a gap', () => {
    const shards = evenShards(4);
    assert.match(checkReshardSteps(shards, [mergeStep(shards[0]!, shards[1]!), midpointSplitStep(shards[1]!)!]) ?? '', /twice/);
    assert.match(checkReshardSteps(shards, [{ parents: [shards[0]!.shardId, shards[2]!.shardId], children: [{ start: 0n, end: shards[2]!.end }] }]) ?? '', /adjacent/);
    assert.match(checkReshardSteps(shards, [{ parents: [shards[0]!.shardId], children: [{ start: 0n, end: 5n }] }]) ?? '', /reach/);
    const closed = shards.map((s, i) => (i === 0 ? { ...s, open: false } : s));
    assert.match(checkReshardSteps(closed, [midpointSplitStep(shards[0]!)!]) ?? '', /not an open shard/);
    // Either order of a merge's parents is fine.
    assert.equal(checkReshardSteps(shards, [{ parents: [shards[1]!.shardId, shards[0]!.shardId], children: [{ start: 0n, end: shards[1]!.end }] }]), undefined);
  });

  it('uniform scaling 4 -> 8 is one round of 4 splits, 8 -> 4 one round of 4 merges, 4 -> 6 ends even', () => {
    const s = new Stream(4);
    const up = planUniformRound(s.shards, 8, 25);
    assert.equal(up.length, 4);
    assert.ok(up.every((st) => st.parents.length === 1));
    s.apply(up);
    assert.deepEqual(planUniformRound(s.shards, 8, 25), []);
    const down = planUniformRound(s.shards, 4, 25);
    assert.equal(down.length, 4);
    s.apply(down);
    assert.ok(isUniform(s.shards));
    run(s, { kind: 'uniform', target: 6 });
    assert.equal(openSorted(s.shards).length, 6);
  });

  it('random split / merge / UpdateShardCount sequences keep the tiling and the lineage (fast-check)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(command, { maxLength: 25 }), (initial, commands) => {
      const s = new Stream(initial);
      for (const c of commands) {
        run(s, c);
        assert.equal(checkTiling(openSorted(s.shards)), undefined);
      }
      const byId = new Map(s.shards.map((x) => [x.shardId, x]));
      for (const [child, parents] of s.parentsOf) {
        const c = byId.get(child)!;
        const ps = parents.map((p) => byId.get(p)!);
        // Parents are closed, older than the child, and their union covers the child's range.
        assert.ok(ps.every((p) => !p.open && p.shardId < child));
        const lo = ps.reduce((m, p) => (p.start < m ? p.start : m), HASH_KEY_MAX);
        const hi = ps.reduce((m, p) => (p.end > m ? p.end : m), 0n);
        assert.ok(c.start >= lo && c.end <= hi);
      }
    }), { numRuns: 200 });
  });
});

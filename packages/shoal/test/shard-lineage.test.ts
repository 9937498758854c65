import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { lineageRows, ShardWalk, type ShardNode } from '../src/shard-lineage';

const id = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;
const node = (n: number, parent?: number, adjacent?: number): ShardNode => ({
  shardId: id(n), parentShardId: parent === undefined ? undefined : id(parent), adjacentParentShardId: adjacent === undefined ? undefined : id(adjacent),
});
const ids = (ready: readonly { shardId: string }[]): string[] => ready.map((r) => r.shardId);

/** 0 and 1; 0 split into 2 and 3; 3 merged with 1 into 4 (the e2e test's history). */
const SPLIT_MERGE = [node(0), node(1), node(2, 0), node(3, 0), node(4, 3, 1)];

describe('shard walk (tail order)', () => {
  it('reads parents to their end before children, and a merged shard after both parents', () => {
    const walk = new ShardWalk(SPLIT_MERGE);
    assert.deepEqual(ids(walk.takeReady()), [id(0), id(1)]);
    assert.deepEqual(walk.takeReady(), []);
    walk.finish(id(0), [node(2, 0), node(3, 0)]);
    assert.deepEqual(walk.takeReady(), [{ shardId: id(2), readParents: [id(0)] }, { shardId: id(3), readParents: [id(0)] }]);
    walk.finish(id(3), [node(4, 3, 1)]);
    assert.deepEqual(walk.takeReady(), []); // 4 waits for 1
    walk.finish(id(1), [node(4, 3, 1)]);
    assert.deepEqual(walk.takeReady(), [{ shardId: id(4), readParents: [id(3), id(1)] }]);
    walk.finish(id(2), []);
    walk.finish(id(4), []);
    assert.equal(walk.unfinished, 0);
  });

  it('from LATEST skips closed shards: their children do not wait for them', () => {
    const walk = new ShardWalk(SPLIT_MERGE);
    for (const closed of [0, 1, 3]) walk.skip(id(closed));
    assert.deepEqual(walk.takeReady(), [{ shardId: id(2), readParents: [] }, { shardId: id(4), readParents: [] }]);
    assert.equal(walk.state(id(0)), 'skipped');
  });

  it('starts a shard whose parents are gone (past retention) at once', () => {
    const walk = new ShardWalk([node(3, 0), node(4, 3, 1), node(2, 0)]);
    assert.deepEqual(ids(walk.takeReady()), [id(2), id(3)]);
  });

  it('leaves out every ancestor of the shard a sequence number belongs to', () => {
    const walk = new ShardWalk(SPLIT_MERGE);
    walk.skipAncestorsOf(id(4));
    assert.deepEqual(ids(walk.takeReady()), [id(2), id(4)]);
    assert.deepEqual([0, 1, 3].map((n) => walk.state(id(n))), ['skipped', 'skipped', 'skipped']);
  });

  it('holds a later-learned merge back until its unknown other parent is listed and read', () => {
    // The first listing knew 0 and 1 only; 0 split into 2, 3 and 1 into 4, 5; then 3 and 4 merged into 6.
    const walk = new ShardWalk([node(0), node(1)]);
    walk.takeReady();
    walk.finish(id(0), [node(2, 0), node(3, 0)]);
    walk.takeReady();
    walk.finish(id(3), [node(6, 3, 4)]);
    assert.deepEqual(walk.unknownParents(), [id(4)]);
    assert.deepEqual(walk.takeReady(), []); // 6 must not start before 4 is known and read
    walk.add([node(4, 1), node(5, 1), node(6, 3, 4)]); // a new listing
    assert.deepEqual(walk.unknownParents(), []);
    assert.deepEqual(walk.takeReady(), []); // 4 and 5 wait for 1
    walk.finish(id(1), [node(4, 1), node(5, 1)]);
    assert.deepEqual(ids(walk.takeReady()), [id(4), id(5)]);
    walk.finish(id(4), [node(6, 3, 4)]);
    assert.deepEqual(ids(walk.takeReady()), [id(6)]);
  });

  it('lets a later-learned shard go when a new listing says its unknown parent is gone', () => {
    const walk = new ShardWalk([node(0)]);
    walk.takeReady();
    walk.finish(id(0), [node(6, 0, 5)]);
    assert.deepEqual(walk.takeReady(), []);
    walk.markGone(walk.unknownParents());
    assert.deepEqual(walk.takeReady(), [{ shardId: id(6), readParents: [id(0)] }]);
  });

  it('refuses to finish a shard it is not reading', () => {
    const walk = new ShardWalk([node(0)]);
    assert.throws(() => walk.finish(id(0), []), /finish\(shardId-000000000000\) while waiting/);
  });

  it('orders ids by number (shardId-000000000010 after shardId-000000000009)', () => {
    const walk = new ShardWalk([node(10), node(9)]);
    assert.deepEqual(ids(walk.takeReady()), [id(9), id(10)]);
  });

  /** A random history of splits and merges of adjacent open shards, as parents lists by shard index. */
  const history = fc.record({
    initial: fc.integer({ min: 1, max: 4 }),
    steps: fc.array(fc.record({ split: fc.boolean(), pick: fc.nat() }), { maxLength: 25 }),
    listedGenerations: fc.nat({ max: 30 }),
    seed: fc.nat(),
  });

  function build(initial: number, steps: readonly { split: boolean; pick: number }[]): { shards: ShardNode[]; listedUpTo: (k: number) => ShardNode[] } {
    const shards: ShardNode[] = [];
    let open: number[] = []; // in hash key order
    for (let i = 0; i < initial; i++) { shards.push(node(i)); open.push(i); }
    for (const step of steps) {
      const next = shards.length;
      if (step.split || open.length < 2) {
        const at = step.pick % open.length;
        const parent = open[at]!;
        shards.push(node(next, parent), node(next + 1, parent));
        open = [...open.slice(0, at), next, next + 1, ...open.slice(at + 1)];
      } else {
        const at = step.pick % (open.length - 1);
        shards.push(node(next, open[at], open[at + 1]));
        open = [...open.slice(0, at), next, ...open.slice(at + 2)];
      }
    }
    return { shards, listedUpTo: (k) => shards.slice(0, Math.max(initial, k)) };
  }

  it('property: every shard is read once, only after all its parents, whatever the finish order and first listing', () => {
    fc.assert(fc.property(history, ({ initial, steps, listedGenerations, seed }) => {
      const { shards, listedUpTo } = build(initial, steps);
      const parents = new Map(shards.map((s) => [s.shardId, [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined)]));
      const children = (shardId: string): ShardNode[] => shards.filter((s) => parents.get(s.shardId)!.includes(shardId));
      const walk = new ShardWalk(listedUpTo(listedGenerations));
      const reading: string[] = [];
      const finished = new Set<string>();
      const started = new Set<string>();
      let rnd = seed;
      for (let rounds = 0; rounds < 10_000; rounds++) {
        if (walk.unknownParents().length > 0) walk.add(shards); // a new listing knows every shard so far
        for (const r of walk.takeReady()) {
          assert.ok(!started.has(r.shardId), `${r.shardId} started twice`);
          for (const p of parents.get(r.shardId)!) assert.ok(finished.has(p), `${r.shardId} started before its parent ${p} finished`);
          started.add(r.shardId);
          reading.push(r.shardId);
        }
        if (reading.length === 0) break;
        rnd = (rnd * 1103515245 + 12345) % 2147483648;
        const [done] = reading.splice(rnd % reading.length, 1);
        finished.add(done!);
        walk.finish(done!, children(done!));
      }
      assert.equal(walk.unfinished, 0);
      assert.equal(started.size, shards.length);
    }), { numRuns: 300 });
  });
});

describe('lineage rows (describe)', () => {
  it('lists children under their parents, a merged shard under its first parent with the other named', () => {
    const rows = lineageRows(SPLIT_MERGE);
    assert.deepEqual(rows.map((r) => [r.shard.shardId, r.depth, r.alsoChildOf]), [
      [id(0), 0, undefined], [id(2), 1, undefined], [id(3), 1, undefined], [id(4), 2, id(1)], [id(1), 0, undefined],
    ]);
  });

  it('treats shards whose parents are not listed as roots, and lists every shard once', () => {
    const rows = lineageRows([node(4, 3, 1), node(2, 0), node(5, 4)]);
    assert.deepEqual(rows.map((r) => [r.shard.shardId, r.depth]), [[id(2), 0], [id(4), 0], [id(5), 1]]);
    const merged = lineageRows([node(1), node(4, 3, 1)]);
    assert.deepEqual(merged.map((r) => [r.shard.shardId, r.depth, r.alsoChildOf]), [[id(1), 0, undefined], [id(4), 1, undefined]]);
  });
});

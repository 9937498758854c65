import assert from 'node:assert/strict';
import type { NodeRecord, ShardRecord } from '@shoal/metadata';
import { loadOf, placeShards, placementBlocker } from '../src/placement';

function node(nodeId: string, az: string): NodeRecord {
  return { nodeId, az, grpcAddress: `127.0.0.1:1`, httpAddress: 'http://127.0.0.1:2', pid: 1, startedMs: 0 };
}

describe('placement', () => {
  it('refuses with fewer than three AZs', () => {
    const nodes = [node('a1', 'az-a'), node('a2', 'az-a'), node('b1', 'az-b')];
    assert.match(placementBlocker(nodes) ?? '', /3 availability zones, have 2/);
    assert.throws(() => placeShards(nodes, new Map(), 1));
  });

  it('puts one replica in each AZ and rotates leaders over the nodes', () => {
    const nodes = [node('c1', 'az-c'), node('a1', 'az-a'), node('b1', 'az-b')];
    const placements = placeShards(nodes, new Map(), 6);
    for (const p of placements) assert.deepEqual(p.replicas, ['a1', 'b1', 'c1']);
    assert.deepEqual(placements.map((p) => p.leader), ['a1', 'b1', 'c1', 'a1', 'b1', 'c1']);
  });

  it('chooses the least-loaded node in each AZ', () => {
    const nodes = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'].map((id) => node(id, `az-${id[0]}`));
    const existing: ShardRecord = {
      streamId: 's', streamName: 's', shardId: 'shardId-000000000000', shardIndex: 0, hashKeyStart: '0', hashKeyEnd: '1',
      startingSequenceNumber: '1', createdMs: 0, replicas: ['a1', 'b1', 'c1'], leader: 'a1', epoch: 1, isr: ['a1', 'b1', 'c1'],
    };
    const load = loadOf(nodes, [existing]);
    const [first, second] = placeShards(nodes, load, 2);
    assert.deepEqual(first!.replicas, ['a2', 'b2', 'c2']);
    assert.equal(first!.leader, 'a2');
    assert.deepEqual(second!.replicas, ['a1', 'b1', 'c1']);
    assert.equal(second!.leader, 'b1');
    for (const id of ['a1', 'b1', 'c1']) assert.equal(load.get(id)!.replicas, 2);
    for (const id of ['a2', 'b2', 'c2']) assert.equal(load.get(id)!.replicas, 1);
  });

  it('uses the three least-loaded AZs when there are more', () => {
    const nodes = [node('a1', 'az-a'), node('b1', 'az-b'), node('c1', 'az-c'), node('d1', 'az-d')];
    const placements = placeShards(nodes, new Map(), 4);
    const counts = new Map<string, number>();
    for (const p of placements) {
      assert.equal(new Set(p.replicas).size, 3);
      for (const r of p.replicas) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    assert.deepEqual([...counts.values()], [3, 3, 3, 3]);
  });
});

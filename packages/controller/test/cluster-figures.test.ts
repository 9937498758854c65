import assert from 'node:assert/strict';
import { ClusterView, type ShardRecord } from '@shoal/metadata';
import { LeaderEpochTracker, underReplicatedShards } from '../src/cluster-figures';

function shard(shardId: string, epoch: number, isr: string[], closed = false): ShardRecord {
  return {
    streamId: 's-1', streamName: 'orders', shardId, shardIndex: Number(shardId.slice(-1)), hashKeyStart: '0', hashKeyEnd: '1',
    startingSequenceNumber: '0', createdMs: 0, replicas: ['a1', 'b1', 'c1'], leader: isr[0]!, epoch, isr,
    ...(closed ? { endingSequenceNumber: '9' } : {}),
  };
}

function viewOf(...shards: ShardRecord[]): ClusterView {
  const view = new ClusterView();
  view.shards.set('s-1', new Map(shards.map((s) => [s.shardId, { value: s, modRevision: '1' }])));
  return view;
}

describe('cluster figures', () => {
  it('counts open shards whose ISR is smaller than their replica set', () => {
    const view = viewOf(
      shard('shardId-000000000000', 1, ['a1', 'b1', 'c1']),
      shard('shardId-000000000001', 1, ['a1', 'b1']),
      shard('shardId-000000000002', 1, ['a1']),
      shard('shardId-000000000003', 1, ['a1'], true),
    );
    assert.equal(underReplicatedShards(view), 2);
  });

  it('counts epochs started from the watch, from the view it starts with; a new shard starts none', () => {
    const tracker = new LeaderEpochTracker(viewOf(shard('shardId-000000000000', 3, ['a1', 'b1', 'c1'])));
    const change = (s: ShardRecord | undefined, shardId = s?.shardId ?? '') =>
      ({ kind: 'shard' as const, streamId: 's-1', shardId, value: s ? { value: s, modRevision: '2' } : undefined });
    assert.equal(tracker.observe(change(shard('shardId-000000000000', 4, ['b1', 'c1']))), 1);
    assert.equal(tracker.observe(change(shard('shardId-000000000000', 4, ['b1', 'c1', 'a1']))), 0, 'an ISR change is not a leader change');
    assert.equal(tracker.observe(change(shard('shardId-000000000001', 1, ['a1', 'b1', 'c1']))), 0);
    assert.equal(tracker.observe(change(shard('shardId-000000000001', 3, ['a1', 'b1', 'c1']))), 2);
    assert.equal(tracker.observe(change(undefined, 'shardId-000000000001')), 0);
    assert.equal(tracker.observe(change(shard('shardId-000000000001', 1, ['a1', 'b1', 'c1']))), 0, 'a recreated shard starts again');
    assert.equal(tracker.observe({ kind: 'node', nodeId: 'a1', value: undefined }), 0);
  });
});

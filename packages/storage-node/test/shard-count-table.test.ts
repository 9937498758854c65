import * as assert from 'node:assert/strict';
import { ShardCountTable } from '../src/node-metrics';

const labels = (stream: string, shard: string) => ({ stream_id: stream, stream_name: `name-${stream}`, shard_id: shard });

describe('ShardCountTable', () => {
  it('counts per shard, streams with the same shard ids kept apart', () => {
    const t = new ShardCountTable();
    t.add(labels('s1', 'shardId-000000000000'), 'incomingBytes', 100);
    t.add(labels('s1', 'shardId-000000000000'), 'incomingBytes', 50);
    t.add(labels('s1', 'shardId-000000000000'), 'incomingRecords', 2);
    t.add(labels('s2', 'shardId-000000000000'), 'outgoingBytes', 7);
    t.add(labels('s1', 'shardId-000000000001'), 'readThrottledRequests', 1);
    const all = [...t.all()].map((c) => ({ ...c }));
    assert.equal(all.length, 3);
    const zero = { incomingBytes: 0, incomingRecords: 0, writeThrottledRecords: 0, outgoingBytes: 0, outgoingRecords: 0, readThrottledRequests: 0 };
    assert.deepEqual(all.find((c) => c.streamId === 's1' && c.shardId === 'shardId-000000000000'), { ...zero, streamId: 's1', shardId: 'shardId-000000000000', incomingBytes: 150, incomingRecords: 2 });
    assert.deepEqual(all.find((c) => c.streamId === 's2'), { ...zero, streamId: 's2', shardId: 'shardId-000000000000', outgoingBytes: 7 });
    assert.deepEqual(all.find((c) => c.shardId === 'shardId-000000000001'), { ...zero, streamId: 's1', shardId: 'shardId-000000000001', readThrottledRequests: 1 });
  });

  it('drops a removed shard (its stream too once empty) and starts it from zero if it counts again', () => {
    const t = new ShardCountTable();
    t.add(labels('s1', 'a'), 'incomingBytes', 10);
    t.add(labels('s1', 'b'), 'incomingBytes', 20);
    t.remove(labels('s1', 'a'));
    t.remove(labels('s9', 'a')); // never counted: nothing happens
    assert.deepEqual([...t.all()].map((c) => `${c.streamId}/${c.shardId}=${c.incomingBytes}`), ['s1/b=20']);
    t.remove(labels('s1', 'b'));
    assert.deepEqual([...t.all()], []);
    t.add(labels('s1', 'a'), 'incomingBytes', 1);
    assert.deepEqual([...t.all()].map((c) => `${c.streamId}/${c.shardId}=${c.incomingBytes}`), ['s1/a=1']);
  });
});

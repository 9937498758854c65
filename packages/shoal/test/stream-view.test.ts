import { strict as assert } from 'node:assert';
import type { Shard } from '@aws-sdk/client-kinesis';
import { shardViews, streamText, streamView } from '../src/describe/stream-view';

const HALF = (1n << 127n).toString();
const shards: Shard[] = [
  { ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: (1n << 127n) - 1n + '' }, SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' } },
  { ShardId: 'shardId-000000000001', HashKeyRange: { StartingHashKey: HALF, EndingHashKey: ((1n << 128n) - 1n).toString() }, SequenceNumberRange: { StartingSequenceNumber: '2' } },
  { ShardId: 'shardId-000000000002', ParentShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: ((1n << 126n) - 1n).toString() }, SequenceNumberRange: { StartingSequenceNumber: '10' } },
];

describe('describe view', () => {
  it('lists shards in lineage order with depth, open state and share of the key space', () => {
    const views = shardViews(shards);
    assert.deepEqual(views.map((v) => [v.shardId, v.depth, v.open, v.hashKeyPercent]), [
      ['shardId-000000000000', 0, false, 50], ['shardId-000000000002', 1, true, 25], ['shardId-000000000001', 0, true, 50],
    ]);
    assert.deepEqual(views[0]!.sequenceNumberRange, { start: '1', end: '9' });
    assert.equal(views[1]!.parentShardId, 'shardId-000000000000');
  });

  it('says which listings the server could not give, as null in JSON and in words in text', () => {
    const view = streamView(
      { StreamName: 'orders', StreamARN: 'arn:x', StreamStatus: 'ACTIVE', RetentionPeriodHours: 24, StreamCreationTimestamp: new Date(0), EnhancedMonitoring: [], OpenShardCount: 2, StreamModeDetails: { StreamMode: 'PROVISIONED' } },
      { ok: true, value: shards }, { ok: false, reason: 'UnknownOperationException' }, { ok: true, value: [{ Key: 'env', Value: 'dev' }] },
    );
    assert.equal(view.consumers, null);
    assert.deepEqual(view.tags, { env: 'dev' });
    assert.deepEqual(view.unavailable, { consumers: 'UnknownOperationException' });
    const text = streamText(view);
    assert.ok(text.includes('consumers   (not supported by this server)'));
    assert.ok(text.includes('tags        env=dev'));
    assert.ok(text.includes('shards      2 open of 3'));
    assert.ok(text.includes('    shardId-000000000002  open    25.0% of keys'));
    assert.deepEqual(JSON.parse(JSON.stringify(view)).shards.length, 3);
  });
});

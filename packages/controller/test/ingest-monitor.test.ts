import assert from 'node:assert/strict';
import type { NodeRecord } from '@shoal/metadata';
import { createLogger, type ShardCountersResponse__Output } from '@shoal/wire';
import { IngestMonitor, type ShardCounterSource, type ShardIngestCounts } from '../src/ingest-monitor';
import { ingestCountsOf } from '../src/shard-counter-client';

const WINDOW_MS = 10_000;

function node(nodeId: string): NodeRecord {
  return { nodeId, az: 'az-a', grpcAddress: '127.0.0.1:1', httpAddress: 'http://127.0.0.1:2', pid: 1, startedMs: 0 };
}

function counts(streamId: string, shardId: string, incomingBytes: number, incomingRecords: number, writeThrottledRecords = 0): ShardIngestCounts {
  return { streamId, shardId, incomingBytes, incomingRecords, writeThrottledRecords };
}

/** Answers each node's next counts from a script; a node with `undefined` fails its call. */
class ScriptedCounters implements ShardCounterSource {
  readonly answers = new Map<string, readonly ShardIngestCounts[] | undefined>();
  pruned: string[] = [];

  countersOf(n: NodeRecord): Promise<readonly ShardIngestCounts[]> {
    const a = this.answers.get(n.nodeId);
    return a ? Promise.resolve(a) : Promise.reject(new Error(`${n.nodeId} down`));
  }

  prune(live: ReadonlySet<string>): void { this.pruned = [...live]; }
}

describe('ingest monitor (typed ShardCounters figures)', () => {
  const log = createLogger('test', {}, 'error');

  it('turns counter increments over the window into a share of the shard write limit', async () => {
    const source = new ScriptedCounters();
    const polls: boolean[] = [];
    const monitor = new IngestMonitor(WINDOW_MS, log, source, (ok) => polls.push(ok));
    assert.equal(monitor.judgeableSinceMs(), Number.POSITIVE_INFINITY);
    source.answers.set('a1', [counts('s-1', 'shardId-000000000000', 1_000_000, 100)]);
    await monitor.poll([node('a1')], 0);
    assert.equal(monitor.judgeableSinceMs(), 0);
    // The first sight only sets the base: nothing measured yet.
    assert.equal(monitor.utilization('s-1', 'shardId-000000000000'), 0);
    // 5,000 records in 10 s = 500 records/s = half of 1000/s; bytes are far below 1 MiB/s.
    source.answers.set('a1', [counts('s-1', 'shardId-000000000000', 1_050_000, 5_100)]);
    await monitor.poll([node('a1')], 1_000);
    assert.equal(monitor.utilization('s-1', 'shardId-000000000000'), 0.5);
    assert.deepEqual(polls, [true, true]);
  });

  it('counts throttled records as demand, keys shards by stream id, and forgets samples older than the window', async () => {
    const source = new ScriptedCounters();
    const monitor = new IngestMonitor(WINDOW_MS, log, source);
    // Same shard id in two streams (equal names in two accounts have different stream ids).
    source.answers.set('a1', [counts('s-1', 'shardId-000000000000', 0, 0, 0), counts('s-2', 'shardId-000000000000', 0, 0)]);
    await monitor.poll([node('a1')], 0);
    source.answers.set('a1', [counts('s-1', 'shardId-000000000000', 10_000, 10_000, 2_000), counts('s-2', 'shardId-000000000000', 0, 0)]);
    await monitor.poll([node('a1')], 1_000);
    assert.equal(monitor.utilization('s-1', 'shardId-000000000000'), 1.2);
    assert.equal(monitor.utilization('s-2', 'shardId-000000000000'), 0);
    await monitor.poll([node('a1')], 11_000);
    assert.equal(monitor.utilization('s-1', 'shardId-000000000000'), 0, 'the sample at 1 s left the window at 11 s');
  });

  it('a count that goes down (node restart) counts from zero; a failing node is skipped and counted as an error', async () => {
    const source = new ScriptedCounters();
    const polls: boolean[] = [];
    const monitor = new IngestMonitor(WINDOW_MS, log, source, (ok) => polls.push(ok));
    source.answers.set('a1', [counts('s-1', 'shardId-000000000001', 0, 9_000)]);
    await monitor.poll([node('a1'), node('b1')], 0);
    source.answers.set('a1', [counts('s-1', 'shardId-000000000001', 0, 1_000)]);
    await monitor.poll([node('a1'), node('b1')], 1_000);
    assert.equal(monitor.utilization('s-1', 'shardId-000000000001'), 0.1);
    assert.deepEqual(polls, [true, false, true, false]);
    assert.deepEqual(source.pruned, ['a1', 'b1']);
  });

  it('leadership moves between nodes keep separate bases per node', async () => {
    const source = new ScriptedCounters();
    const monitor = new IngestMonitor(WINDOW_MS, log, source);
    source.answers.set('a1', [counts('s-1', 'shardId-000000000000', 0, 3_000)]);
    source.answers.set('b1', []);
    await monitor.poll([node('a1'), node('b1')], 0);
    source.answers.set('a1', [counts('s-1', 'shardId-000000000000', 0, 4_000)]);
    source.answers.set('b1', [counts('s-1', 'shardId-000000000000', 0, 500)]);
    await monitor.poll([node('a1'), node('b1')], 1_000);
    source.answers.set('b1', [counts('s-1', 'shardId-000000000000', 0, 2_500)]);
    await monitor.poll([node('a1'), node('b1')], 2_000);
    // a1: +1000; b1: its first sight (500) is a base, then +2000.
    assert.equal(monitor.utilization('s-1', 'shardId-000000000000'), 0.3);
  });

  it('reads the ingest figures of a ShardCounters answer', () => {
    const response: ShardCountersResponse__Output = {
      node_id: 'a1',
      shards: [
        { shard: { stream_id: 's-1', shard_id: 'shardId-000000000002' }, incoming_bytes: 7, incoming_records: 3, write_throttled_records: 1, outgoing_bytes: 9, outgoing_records: 2, read_throttled_requests: 4 },
        { shard: null, incoming_bytes: 1, incoming_records: 1, write_throttled_records: 0, outgoing_bytes: 0, outgoing_records: 0, read_throttled_requests: 0 },
      ],
    };
    assert.deepEqual(ingestCountsOf(response), [counts('s-1', 'shardId-000000000002', 7, 3, 1)]);
  });
});

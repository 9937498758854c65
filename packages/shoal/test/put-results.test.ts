import { strict as assert } from 'node:assert';
import type { PutEntry } from '../src/put/put-batcher';
import { retryBackoffMs, splitPutResults } from '../src/put/put-results';

const entry = (line: number): PutEntry => ({ line, partitionKey: `k${line}`, data: Buffer.from(`d${line}`), bytes: 4, inputBytes: 3 });

describe('put results', () => {
  it('splits a PutRecords answer into acknowledged and failed records, in batch order', () => {
    const batch = [entry(1), entry(2), entry(3)];
    const { acked, failed } = splitPutResults(batch, [
      { ShardId: 'shardId-000000000000', SequenceNumber: '10' },
      { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' },
      { ShardId: 'shardId-000000000001', SequenceNumber: '11' },
    ]);
    assert.deepEqual(acked.map((a) => [a.entry.line, a.shardId, a.sequenceNumber]), [[1, 'shardId-000000000000', '10'], [3, 'shardId-000000000001', '11']]);
    assert.deepEqual(failed.map((f) => [f.entry.line, f.errorCode, f.errorMessage]), [[2, 'ProvisionedThroughputExceededException', 'Rate exceeded for shard']]);
  });

  it('treats a result without a sequence number as failed', () => {
    const { acked, failed } = splitPutResults([entry(1)], [{ ShardId: 'shardId-000000000000' }]);
    assert.equal(acked.length, 0);
    assert.equal(failed[0]!.errorCode, 'MissingSequenceNumber');
  });

  it('refuses an answer with another number of results', () => {
    assert.throws(() => splitPutResults([entry(1), entry(2)], [{ ShardId: 's', SequenceNumber: '1' }]), /1 results for 2 records/);
  });

  it('backs off doubling from the first delay to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((r) => retryBackoffMs(r, 100, 5000)), [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    assert.equal(retryBackoffMs(0, 100, 5000), 0);
    assert.equal(retryBackoffMs(1000, 100, 5000), 5000);
  });
});

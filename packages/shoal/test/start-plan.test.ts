import { strict as assert } from 'node:assert';
import { StartPlan } from '../src/tail/start-plan';

const TS = { type: 'AT_TIMESTAMP', timestampMs: 1_000 } as const;

describe('start plan (where tail starts in each shard)', () => {
  it('starts first shards at the requested position and children after a positioned parent at TRIM_HORIZON', () => {
    const plan = new StartPlan({ type: 'LATEST' });
    assert.deepEqual(plan.positionOf({ shardId: 'a', readParents: [] }), { type: 'LATEST' });
    assert.deepEqual(plan.positionOf({ shardId: 'b', readParents: ['a'] }), { type: 'TRIM_HORIZON' });
    assert.deepEqual(plan.positionOf({ shardId: 'c', readParents: ['b'] }), { type: 'TRIM_HORIZON' });
  });

  it('reads children of shards read from a time from the same time', () => {
    const plan = new StartPlan(TS);
    assert.deepEqual(plan.positionOf({ shardId: 'a', readParents: [] }), TS);
    assert.deepEqual(plan.positionOf({ shardId: 'b', readParents: ['a'] }), TS);
  });

  it('starts the shard of a sequence number there, its descendants at TRIM_HORIZON, other shards from the record\'s time', () => {
    const seq = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '42' } as const;
    const plan = new StartPlan(TS, new Map([['s', seq]]));
    assert.deepEqual(plan.positionOf({ shardId: 's', readParents: [] }), seq);
    assert.deepEqual(plan.positionOf({ shardId: 'o', readParents: [] }), TS);
    assert.deepEqual(plan.positionOf({ shardId: 'child', readParents: ['s'] }), { type: 'TRIM_HORIZON' });
    assert.deepEqual(plan.positionOf({ shardId: 'merged', readParents: ['o', 'child'] }), { type: 'TRIM_HORIZON' });
    assert.deepEqual(plan.positionOf({ shardId: 'other-child', readParents: ['o'] }), TS);
  });
});

/** The fan-out rule (check-subscriptions.ts) on hand-made histories: a good session passes, each way of breaking it is named. */
import { strict as assert } from 'node:assert';
import { checkHistory } from '../../src/check/checker';
import type { SubscriptionEvent, SubscriptionLine } from '../../src/history/fanout-format';
import type { History } from '../../src/history/history-format';
import { SHARD0, SHARD1, SNAPSHOT_SHARDS, goodHistory, recordOf, seqOf } from './history-builder';

/** The good history with one subscription session per shard, delivering every record in two events, the last at 3000 ms. */
function withSubscriptions(edit: (events: SubscriptionEvent[]) => SubscriptionLine[] = (e) => e): History {
  const h = goodHistory();
  const events: SubscriptionEvent[] = [];
  for (const shardId of [SHARD0, SHARD1]) {
    const recs = h.ops.filter((o) => o.shardId === shardId).map(recordOf);
    const base = { type: 'sub-event', consumer: 'c1', session: `c1-${shardId}`, call: `c1-${shardId}-0`, shardId } as const;
    events.push({ ...base, atMs: 1500, records: recs.slice(0, 4), continuation: recs[3]!.seq });
    events.push({ ...base, atMs: 3000, records: recs.slice(4), continuation: recs[5]!.seq });
  }
  return { ...h, subscriptions: edit(events) };
}

function violations(history: History): Record<string, number> {
  const v = checkHistory(history);
  return Object.fromEntries(Object.entries(v.violations).filter(([t, n]) => n > 0 && t.startsWith('subscription')));
}

describe('subscription checks', () => {
  it('pass when every session got every record once, in order', () => {
    const verdict = checkHistory(withSubscriptions());
    assert.deepEqual(violations(withSubscriptions()), {});
    assert.deepEqual(verdict.subscriptions, { sessions: 2, events: 4 });
  });

  it('name a duplicate, a skipped record and one never delivered', () => {
    const dup = withSubscriptions((e) => [e[0]!, { ...e[1]!, records: [e[0]!.records[3]!, ...e[1]!.records] }, e[2]!, e[3]!]);
    assert.deepEqual(violations(dup), { 'subscription-out-of-order': 1 });
    const skip = withSubscriptions((e) => [{ ...e[0]!, records: e[0]!.records.filter((_, i) => i !== 1) }, e[1]!, e[2]!, e[3]!]);
    assert.deepEqual(violations(skip), { 'subscription-skipped-record': 1 });
    // The tail never came, though the session went on 8 s past its acknowledgement.
    const tail = withSubscriptions((e) => [e[0]!, { ...e[1]!, records: e[1]!.records.slice(0, 1), continuation: e[1]!.records[0]!.seq, atMs: 12_000 }, e[2]!, e[3]!]);
    assert.deepEqual(violations(tail), { 'subscription-missed-record': 1 });
    // Not yet due: the last event came within the grace of the acknowledgement.
    const early = withSubscriptions((e) => [e[0]!, { ...e[1]!, records: e[1]!.records.slice(0, 1), continuation: e[1]!.records[0]!.seq }, e[2]!, e[3]!]);
    assert.deepEqual(violations(early), {});
  });

  it('require the continuation to be the last record, and absent exactly with ChildShards naming the children and their parents', () => {
    const wrong = withSubscriptions((e) => [{ ...e[0]!, continuation: seqOf(0, 1) }, e[1]!, e[2]!, e[3]!]);
    assert.deepEqual(violations(wrong), { 'subscription-bad-continuation': 1 });
    const missing = withSubscriptions((e) => [e[0]!, { ...e[1]!, continuation: undefined }, e[2]!, e[3]!]);
    assert.deepEqual(violations(missing), { 'subscription-bad-continuation': 1 });

    // SHARD0 split into two children: the snapshots show them.
    const children = ['shardId-000000000002', 'shardId-000000000003'];
    const h = withSubscriptions();
    const snapshot = { type: 'shards', api: 0, startMs: 2000, endMs: 2001, outcome: 'ok', shards: [
      { ...SNAPSHOT_SHARDS[0]!, endingSequenceNumber: seqOf(0, 5) }, SNAPSHOT_SHARDS[1]!,
      { shardId: children[0]!, parentShardId: SHARD0, hashKeyStart: '0', hashKeyEnd: '10', startingSequenceNumber: seqOf(2, 0) },
      { shardId: children[1]!, parentShardId: SHARD0, hashKeyStart: '11', hashKeyEnd: SNAPSHOT_SHARDS[0]!.hashKeyEnd, startingSequenceNumber: seqOf(3, 0) },
    ] } as const;
    const end = (childShards: SubscriptionEvent['childShards']): History => {
      const subs = [...h.subscriptions!];
      subs.splice(2, 0, { type: 'sub-event', consumer: 'c1', session: `c1-${SHARD0}`, call: `c1-${SHARD0}-0`, shardId: SHARD0, atMs: 3100, records: [], childShards });
      return { ...h, shards: [...h.shards, snapshot], subscriptions: subs };
    };
    assert.deepEqual(violations(end(children.map((shardId) => ({ shardId, parentShards: [SHARD0] })))), {});
    assert.deepEqual(violations(end([{ shardId: children[0]!, parentShards: [SHARD0] }])), { 'subscription-bad-continuation': 1 });
    assert.deepEqual(violations(end(children.map((shardId) => ({ shardId, parentShards: [] })))), { 'subscription-bad-continuation': 1 });
  });
});

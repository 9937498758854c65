import { strict as assert } from 'node:assert';
import { checkHistory, formatVerdict } from '../../src/check/checker';
import { VIOLATION_TYPES, type ViolationType } from '../../src/check/violations';
import type { FinalShardRead, PutAttempt, ReadCall } from '../../src/history/history-format';
import {
  SHARD0, SHARD1, SNAPSHOT_SHARDS, asHistory, goodHistory, keyIn, md5, readCall, recordOf, seqOf, type MutableHistory,
} from './history-builder';

function caught(h: MutableHistory, type: ViolationType): void {
  const verdict = checkHistory(asHistory(h));
  assert.equal(verdict.pass, false, `expected ${type}, the history passed`);
  assert.ok(verdict.violations[type] > 0, `expected ${type}, got ${JSON.stringify(verdict.violations)}`);
  assert.ok(verdict.details.some((d) => d.type === type && d.context.length > 0), `${type} comes with context`);
}

const reads = (h: MutableHistory): ReadCall[] => h.reads.filter((r): r is ReadCall => r.type === 'read');
const acksOf = (h: MutableHistory, shardId: string): PutAttempt[] => h.ops.filter((o) => o.shardId === shardId);
const finalOf = (h: MutableHistory, shardId: string): ReadCall => reads(h).find((r) => r.final && r.shardId === shardId)!;

describe('checker', () => {
  it('passes a good history, with its counts and write gap', () => {
    const verdict = checkHistory(asHistory(goodHistory()));
    assert.equal(verdict.pass, true, formatVerdict(verdict));
    assert.equal(verdict.counts.acknowledged, 12);
    assert.equal(verdict.counts.lost, 0);
    assert.equal(verdict.counts.duplicates, 0);
    assert.equal(verdict.availability.gaps.length, 1);
    assert.equal(verdict.availability.gaps[0]!.gapMs, 200);
    assert.deepEqual(Object.keys(verdict.violations), [...VIOLATION_TYPES]);
  });

  it('lost-ack: an acknowledged record missing from the final read', () => {
    const h = goodHistory();
    const final = finalOf(h, SHARD0);
    h.reads[h.reads.indexOf(final)] = { ...final, records: final.records.slice(0, -1) };
    caught(h, 'lost-ack');
  });

  it('lost-ack: an acknowledged record replaced by another with other data', () => {
    const h = goodHistory();
    const final = finalOf(h, SHARD1);
    const last = final.records[final.records.length - 1]!;
    h.reads[h.reads.indexOf(final)] = { ...final, records: [...final.records.slice(0, -1), { ...last, md5: md5('other') }] };
    caught(h, 'lost-ack');
  });

  it('final-read-incomplete: a shard the final read did not finish', () => {
    const h = goodHistory();
    const i = h.reads.findIndex((r) => r.type === 'final-shard' && r.shardId === SHARD1);
    h.reads[i] = { ...(h.reads[i] as FinalShardRead), complete: false };
    caught(h, 'final-read-incomplete');
  });

  it('failed-put-visible: a put that ended fail is read back', () => {
    const h = goodHistory();
    const i = h.ops.findIndex((o) => o.value === 'w1-2');
    const { shardId: _s, seq: _q, ...rest } = h.ops[i]!;
    h.ops[i] = { ...rest, outcome: 'fail', error: 'ProvisionedThroughputExceededException' };
    caught(h, 'failed-put-visible');
  });

  it('divergent-history: one position read as two records', () => {
    const h = goodHistory();
    const [first, other] = acksOf(h, SHARD0);
    h.reads.push(readCall(SHARD0, 'r2', null, [{ ...recordOf(other!), seq: first!.seq! }], { reader: 'r2' }));
    caught(h, 'divergent-history');
  });

  it('phantom-record: a record nobody wrote', () => {
    const h = goodHistory();
    h.reads.push(readCall(SHARD0, 'r2', seqOf(0, 5), [{ seq: seqOf(0, 6), partitionKey: 'x', value: 'w9-1', md5: md5('x') }], { reader: 'r2' }));
    caught(h, 'phantom-record');
  });

  it('unexplained-duplicate: a value at two positions after one attempt', () => {
    const h = goodHistory();
    const final = finalOf(h, SHARD0);
    const dup = { ...final.records[0]!, seq: seqOf(0, 6) };
    h.reads[h.reads.indexOf(final)] = { ...final, records: [...final.records, dup] };
    caught(h, 'unexplained-duplicate');
  });

  it('duplicates after a retry are counted, not violations', () => {
    const h = goodHistory();
    const first = h.ops.find((o) => o.value === 'w1-5')!;
    const { shardId: _s, seq: _q, ...rest } = first;
    h.ops.push({ ...rest, attempt: 0, outcome: 'info', error: 'TimeoutError', startMs: first.startMs - 20, endMs: first.startMs - 1 });
    const final = finalOf(h, SHARD0);
    h.reads[h.reads.indexOf(final)] = { ...final, records: [...final.records, { ...recordOf(first), seq: seqOf(0, 6) }] };
    const verdict = checkHistory(asHistory(h));
    assert.equal(verdict.pass, true, formatVerdict(verdict));
    assert.equal(verdict.counts.duplicates, 1);
  });

  it('reader-went-backwards: a session that reads a lower number', () => {
    const h = goodHistory();
    const recs = acksOf(h, SHARD0).map(recordOf);
    h.reads.push(readCall(SHARD0, 'r2', null, recs.slice(0, 4), { reader: 'r2' }));
    h.reads.push(readCall(SHARD0, 'r2', recs[3]!.seq, recs.slice(2, 3), { reader: 'r2' }));
    caught(h, 'reader-went-backwards');
  });

  it('reader-skipped-record: a session that passes over a known record', () => {
    const h = goodHistory();
    const recs = acksOf(h, SHARD1).map(recordOf);
    h.reads.push(readCall(SHARD1, 'r2', null, [recs[0]!, recs[2]!], { reader: 'r2' }));
    caught(h, 'reader-skipped-record');
  });

  it('reader-skipped-record: the end of a closed shard before its last record', () => {
    const h = goodHistory();
    const recs = acksOf(h, SHARD1).map(recordOf);
    h.reads.push(readCall(SHARD1, 'r2', null, recs.slice(0, 5), { reader: 'r2', hasNext: false }));
    caught(h, 'reader-skipped-record');
  });

  it('ack-order-violated: a put acknowledged before another began has the larger number', () => {
    const h = goodHistory();
    const [a, b] = [h.ops.findIndex((o) => o.value === 'w1-0'), h.ops.findIndex((o) => o.value === 'w1-1')];
    const seqA = h.ops[a]!.seq;
    h.ops[a] = { ...h.ops[a]!, seq: h.ops[b]!.seq };
    h.ops[b] = { ...h.ops[b]!, seq: seqA };
    caught(h, 'ack-order-violated');
  });

  it('key-order-violated: a key read out of the order its puts were acknowledged', () => {
    const h = goodHistory();
    const final = finalOf(h, SHARD0);
    const recs = [...final.records];
    [recs[1], recs[2]] = [{ ...recs[2]!, seq: recs[1]!.seq }, { ...recs[1]!, seq: recs[2]!.seq }];
    h.reads[h.reads.indexOf(final)] = { ...final, records: recs };
    caught(h, 'key-order-violated');
  });

  it('hash-space-not-tiled: a snapshot with a gap', () => {
    const h = goodHistory();
    h.shards.push({ type: 'shards', api: 0, startMs: 2000, endMs: 2010, outcome: 'ok', shards: [SNAPSHOT_SHARDS[0]!] });
    caught(h, 'hash-space-not-tiled');
  });

  it('acked-outside-open-shard: an acknowledged key outside its shard range', () => {
    const h = goodHistory();
    const key = keyIn(SHARD0, 'stray');
    h.ops.push({ type: 'put', writer: 'w3', value: 'w3-0', attempt: 1, partitionKey: key, md5: md5('w3'), api: 0, startMs: 2000, endMs: 2010, outcome: 'ok', shardId: SHARD1, seq: seqOf(1, 6) });
    caught(h, 'acked-outside-open-shard');
  });

  it('child-seq-not-after-parent: a child that starts below its parent end', () => {
    const h = goodHistory();
    const child = { shardId: 'shardId-000000000002', parentShardId: SHARD0, hashKeyStart: SNAPSHOT_SHARDS[0]!.hashKeyStart, hashKeyEnd: SNAPSHOT_SHARDS[0]!.hashKeyEnd, startingSequenceNumber: seqOf(0, 3) };
    h.shards.push({ type: 'shards', api: 0, startMs: 2500, endMs: 2510, outcome: 'ok', shards: [{ ...SNAPSHOT_SHARDS[0]!, endingSequenceNumber: seqOf(0, 5) }, SNAPSHOT_SHARDS[1]!, child] });
    caught(h, 'child-seq-not-after-parent');
  });

  it('record-in-closed-shard: a record past the ending number', () => {
    const h = goodHistory();
    h.shards.push({ type: 'shards', api: 0, startMs: 2500, endMs: 2510, outcome: 'ok', shards: [{ ...SNAPSHOT_SHARDS[0]!, endingSequenceNumber: seqOf(0, 3) }, SNAPSHOT_SHARDS[1]!] });
    caught(h, 'record-in-closed-shard');
  });

  it('replicas-diverge: a replica left behind after healing', () => {
    const h = goodHistory();
    h.replicas![1] = { ...h.replicas![1]!, logEndOffset: 5, highWatermark: 5 };
    caught(h, 'replicas-diverge');
  });

  it('replicas-diverge: replicas holding different records', () => {
    const h = goodHistory();
    h.replicas = [
      { type: 'replica', nodeId: 'a1', shardId: SHARD0, records: [{ offset: 0, md5: 'aa' }] },
      { type: 'replica', nodeId: 'b1', shardId: SHARD0, records: [{ offset: 0, md5: 'bb' }] },
    ];
    caught(h, 'replicas-diverge');
  });

  it('write-gap-exceeded: writes resume too late after a fault', () => {
    const h = goodHistory();
    h.run = { ...h.run, writeGapP99MsMax: 150 };
    caught(h, 'write-gap-exceeded');
  });
});

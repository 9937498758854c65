import { strict as assert } from 'node:assert';
import { answerMismatch } from '../../src/check/check-robustness';
import { checkHistory, formatVerdict } from '../../src/check/checker';
import type { ViolationType } from '../../src/check/violations';
import type { History } from '../../src/history/history-format';
import type { EpochSample } from '../../src/history/reshard-format';
import type { HostileRequest, SlowClient } from '../../src/history/robustness-format';
import { SHARD0, asHistory, goodHistory, seqOf } from './history-builder';

function caught(h: History, type: ViolationType, n = 1): void {
  const verdict = checkHistory(h);
  assert.equal(verdict.pass, false, `expected ${type}, the history passed`);
  assert.equal(verdict.violations[type], n, `expected ${n} ${type}, got ${JSON.stringify(verdict.violations)}`);
  assert.ok(verdict.details.some((d) => d.type === type && d.context.length > 0), `${type} comes with context`);
}

function passes(h: History): void {
  const verdict = checkHistory(h);
  assert.equal(verdict.pass, true, formatVerdict(verdict));
}

const request = (extra: Partial<HostileRequest>): HostileRequest => ({
  type: 'hostile', kind: 'request', name: 'empty-partition-key', protocol: 'http1', api: 0, startMs: 1000, endMs: 1010,
  expected: { status: 400, type: 'ValidationException', messageIncludes: 'greater than or equal to 1' },
  got: { status: 400, type: 'ValidationException', message: "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1" },
  ...extra,
});

const slow = (extra: Partial<SlowClient>): SlowClient => ({
  type: 'hostile', kind: 'slow', name: 'slow-headers', protocol: 'http1', api: 1, startMs: 1000, endMs: 12_000, closedMs: 12_000, closeWithinMs: 16_000, ...extra,
});

/** A slow client still open when the hostile client stopped at `endMs`. */
function stillOpen(endMs: number): SlowClient {
  const { closedMs: _closed, ...rest } = slow({ endMs });
  return rest;
}

/** The good history with arrival times on every read record: 10 ms per offset, per shard. */
function withArrivals(): History {
  const h = goodHistory();
  const position = new Map<string, number>();
  for (const r of h.reads) if (r.type === 'read' && r.final) r.records.forEach((rec, i) => position.set(rec.seq, i));
  h.reads = h.reads.map((r) => (r.type === 'read' ? { ...r, records: r.records.map((rec) => ({ ...rec, arrivalMs: 5_000 + 10 * position.get(rec.seq)! })) } : r));
  return asHistory(h);
}

describe('checker: robustness invariants', () => {
  it('process-crashed: a process exit no fault explains', () => {
    passes({ ...asHistory(goodHistory()), exits: [] });
    caught({ ...asHistory(goodHistory()), exits: [{ type: 'exit', atMs: 2000, name: 'b1', role: 'storage-node', pid: 77, logTail: 'assertion failed' }] }, 'process-crashed');
  });

  it('api-acknowledged-nothing: an api process every put sent to failed on', () => {
    const h = goodHistory();
    // A second api that failed two puts (values never written) and acknowledged one.
    const failedOn1 = (i: number) => ({ ...h.ops[i]!, value: `w9-${i}`, api: 1, outcome: 'fail' as const, error: 'Error', shardId: undefined, seq: undefined });
    h.ops = [failedOn1(0), failedOn1(1), ...h.ops.map((o, i) => (i === 2 ? { ...o, api: 1 } : o))];
    passes(asHistory(h));
    h.ops = h.ops.map((o) => (o.api === 1 && o.outcome === 'ok' ? { ...o, api: 0 } : o));
    h.run = { ...h.run, settings: { endpoints: ['https://127.0.0.1:28569', 'https://127.0.0.1:28570'] } };
    caught(asHistory(h), 'api-acknowledged-nothing');
    assert.match(checkHistory(asHistory(h)).details.find((d) => d.type === 'api-acknowledged-nothing')!.message, /api 1 \(https:\/\/127\.0\.0\.1:28570\) acknowledged none of the 2 put attempts sent to it \(Error\)/);
  });

  it('bad-input-wrong-answer: another error type, another status, another message, or no answer', () => {
    passes({ ...asHistory(goodHistory()), hostile: [request({})] });
    caught({
      ...asHistory(goodHistory()),
      hostile: [
        request({ got: { status: 500, type: 'InternalFailure', message: 'Internal service failure.' } }),
        request({ got: { status: 400, type: 'SerializationException', message: 'x' } }),
        request({ got: { status: 400, type: 'ValidationException', message: 'something else' } }),
        request({ protocol: 'http2', got: { error: 'ECONNRESET' } }),
      ],
    }, 'bad-input-wrong-answer', 4);
  });

  it('answerMismatch: a status class matches any status of the class', () => {
    assert.equal(answerMismatch({ statusClass: 4 }, { status: 415 }), undefined);
    assert.match(answerMismatch({ statusClass: 4 }, { status: 500 }) ?? '', /expected 4xx/);
    assert.equal(answerMismatch({ status: 200 }, { status: 200 }), undefined);
  });

  it('slow-client-not-closed: a slow connection the api held past its bound', () => {
    passes({ ...asHistory(goodHistory()), hostile: [slow({}), stillOpen(5_000)] });
    caught({ ...asHistory(goodHistory()), hostile: [slow({ closedMs: 40_000, endMs: 40_000 }), stillOpen(30_000)] }, 'slow-client-not-closed', 2);
  });

  it('arrival-time-decreased: a record that arrived before the one ahead of it in its shard', () => {
    passes(withArrivals());
    const h = withArrivals();
    const third = seqOf(0, 3);
    const reads = h.reads.map((r) => (r.type === 'read' && r.shardId === SHARD0
      ? { ...r, records: r.records.map((rec) => (rec.seq === third ? { ...rec, arrivalMs: 1_000 } : rec)) } : r));
    caught({ ...h, reads }, 'arrival-time-decreased');
  });

  it('failover-storm: leadership flapping under link degradation alone, not after process faults', () => {
    const flaps = (atMs: number[]): EpochSample[] => [
      { type: 'epoch', atMs: 100, shardId: SHARD0, leader: 'a1', epoch: 1, modRevision: '10' },
      ...atMs.map((t, i): EpochSample => ({ type: 'epoch', atMs: t, shardId: SHARD0, leader: i % 2 === 0 ? 'b1' : 'a1', epoch: i + 2, modRevision: String(20 + i) })),
    ];
    const degraded = (h: History): History => ({ ...h, faults: [...h.faults, { type: 'fault', atMs: 40_000, action: 'link', target: 'az-b', detail: 'delay 100 ms' }] });
    // Two changes a minute pass; so do many changes that each follow a process fault.
    passes(degraded({ ...asHistory(goodHistory()), epochs: flaps([45_000, 60_000]) }));
    const killed = asHistory(goodHistory());
    passes({ ...killed, faults: [...killed.faults, ...[44_000, 54_000, 64_000].map((atMs) => ({ type: 'fault' as const, atMs, action: 'kill' as const, target: 'a1' }))], epochs: flaps([45_000, 55_000, 65_000]) });
    caught(degraded({ ...asHistory(goodHistory()), epochs: flaps([45_000, 55_000, 65_000, 75_000]) }), 'failover-storm');
  });
});

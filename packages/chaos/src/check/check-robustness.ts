/**
 * Robustness invariants beside the data invariants: no process crashes
 * (exits.jsonl), every api process the workload writes through
 * acknowledges some of its puts (one that answers nothing but errors, as a
 * second api whose TLS certificate its clients could not trust once did,
 * leaves the run testing half the cluster while it passes), every bad
 * request of the hostile client gets its Kinesis
 * error and every slow client is cut off in bounded time (hostile.jsonl),
 * and arrival timestamps never decrease along a shard. The last is shoal's
 * own contract (a leader stamps max(its clock, the last arrival of the
 * shard): storage-node replica.ts), not an AWS guarantee (the API reference only
 * says "the approximate time that the record was inserted"), so a skewed
 * clock on one node must not make them go backwards across a failover.
 */
import type { History, PutAttempt, ReadCall } from '../history/history-format';
import type { ExpectedAnswer, GotAnswer } from '../history/robustness-format';
import type { ViolationSink } from './violations';

export function checkExits(history: History, sink: ViolationSink): void {
  for (const e of history.exits ?? []) {
    sink.add('process-crashed', `${e.name} (${e.role}, pid ${e.pid}) exited without a fault aimed at it`, [e]);
  }
}

/** Error names quoted per api in an api-acknowledged-nothing message. */
const ERRORS_QUOTED_MAX = 3;

export function checkApisAcknowledged(history: History, sink: ViolationSink): void {
  const byApi = new Map<number, PutAttempt[]>();
  const acked = new Set<number>();
  for (const op of history.ops) {
    if (op.outcome === 'ok') acked.add(op.api);
    const list = byApi.get(op.api);
    if (list) list.push(op); else byApi.set(op.api, [op]);
  }
  const endpoints = history.run.settings?.['endpoints'];
  for (const [api, ops] of byApi) {
    if (acked.has(api)) continue;
    const endpoint = Array.isArray(endpoints) && typeof endpoints[api] === 'string' ? ` (${endpoints[api]})` : '';
    const errors = [...new Set(ops.map((o) => o.error ?? o.outcome))].slice(0, ERRORS_QUOTED_MAX).join(', ');
    sink.add('api-acknowledged-nothing', `api ${api}${endpoint} acknowledged none of the ${ops.length} put attempts sent to it (${errors})`, ops);
  }
}

/** Why `got` is not the `expected` answer, or undefined when it is. */
export function answerMismatch(expected: ExpectedAnswer, got: GotAnswer): string | undefined {
  if (got.error !== undefined) return `no answer: ${got.error}`;
  if (expected.status !== undefined && got.status !== expected.status) return `status ${got.status ?? '-'} (expected ${expected.status})`;
  if (expected.statusClass !== undefined && Math.floor((got.status ?? 0) / 100) !== expected.statusClass) {
    return `status ${got.status ?? '-'} (expected ${expected.statusClass}xx)`;
  }
  if (expected.type !== undefined && got.type !== expected.type) return `type ${got.type ?? '-'} (expected ${expected.type})`;
  if (expected.messageIncludes !== undefined && !(got.message ?? '').includes(expected.messageIncludes)) {
    return `message "${(got.message ?? '').slice(0, 200)}" (expected to include "${expected.messageIncludes}")`;
  }
  return undefined;
}

export function checkHostile(history: History, sink: ViolationSink): void {
  for (const p of history.hostile ?? []) {
    if (p.kind === 'request') {
      const why = answerMismatch(p.expected, p.got);
      if (why) sink.add('bad-input-wrong-answer', `${p.name} over ${p.protocol} to api ${p.api}: ${why}`, [p]);
    } else {
      const openMs = (p.closedMs ?? p.endMs) - p.startMs;
      if (openMs > p.closeWithinMs) {
        sink.add('slow-client-not-closed', `${p.name} over ${p.protocol} to api ${p.api}: open ${openMs} ms (bound ${p.closeWithinMs} ms)${p.closedMs === undefined ? ', never closed' : ''}`, [p]);
      }
    }
  }
}

export function checkArrivals(history: History, sink: ViolationSink): void {
  const byShard = new Map<string, Map<string, number>>();
  for (const line of history.reads) {
    if (line.type !== 'read') continue;
    const call = line as ReadCall;
    let arrivals = byShard.get(call.shardId);
    if (!arrivals) byShard.set(call.shardId, (arrivals = new Map()));
    for (const r of call.records) if (r.arrivalMs !== undefined && !arrivals.has(r.seq)) arrivals.set(r.seq, r.arrivalMs);
  }
  for (const [shardId, arrivals] of byShard) {
    const ordered = [...arrivals].map(([seq, ms]) => ({ seq: BigInt(seq), ms })).sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    for (let i = 1; i < ordered.length; i++) {
      const [prev, cur] = [ordered[i - 1]!, ordered[i]!];
      if (cur.ms < prev.ms) {
        sink.add('arrival-time-decreased', `${shardId}: ${cur.seq} arrived at ${cur.ms}, before ${prev.seq} at ${prev.ms} (${prev.ms - cur.ms} ms back)`,
          [{ seq: prev.seq.toString(), arrivalMs: prev.ms }, { seq: cur.seq.toString(), arrivalMs: cur.ms }]);
      }
    }
  }
}

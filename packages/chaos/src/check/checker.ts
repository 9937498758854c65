/**
 * The history checker: pure and offline. It takes a History (a run folder
 * read back) and returns the Verdict: every invariant of CHAOS.md checked,
 * each failure a named violation with the history lines around it, the
 * counts (acknowledged, lost, duplicates, unseen) and availability.
 */
import type { History, RunInfo } from '../history/history-format';
import { measureAvailability, type Availability } from './availability';
import { checkAcks, type Counts } from './check-acks';
import { checkAckOrder, checkKeyOrder } from './check-order';
import { checkReaders } from './check-readers';
import { checkRecords } from './check-records';
import { checkReplicas } from './check-replicas';
import { checkApisAcknowledged, checkArrivals, checkExits, checkHostile } from './check-robustness';
import { checkFailoverStorm } from './check-failover-storm';
import { checkEpochs } from './check-epochs';
import { checkReshards, type ReshardStats } from './check-reshards';
import { checkAckedInOpenShard, checkLineage, checkTilingOfSnapshots } from './check-shard-map';
import { HistoryIndex } from './history-index';
import { checkDisk } from './check-disk';
import { checkSubscriptions } from './check-subscriptions';
import { checkEtcdOutages } from './check-etcd-outage';
import { expectedLossOf, expectedLossReason } from './expected-loss';
import { ViolationSink, VIOLATION_TYPES, type Violation, type ViolationType } from './violations';

export interface Verdict {
  readonly pass: boolean;
  readonly run: RunInfo;
  readonly counts: Counts;
  /** Every violation type with its count (0 when it held). */
  readonly violations: Readonly<Record<ViolationType, number>>;
  /** The first few violations of each type, whole. */
  readonly details: readonly Violation[];
  readonly availability: Availability;
  /**
   * Set when the run documents an expected loss (expected-loss.ts) and every violation is a
   * consequence of lost records: the number lost. `pass` stays false; the tier does not fail on it.
   */
  readonly expectedLoss?: number;
  /** True when the run produced a replica dump (replica convergence was checked). */
  readonly replicasChecked: boolean;
  /** What the reshard requests came to (runs with reshards.jsonl). */
  readonly reshards?: ReshardStats;
  /** Leader changes in etcd over the run (runs with epochs.jsonl). */
  readonly leaderChanges?: number;
  /** Fan-out sessions and events checked (runs with subscriptions.jsonl). */
  readonly subscriptions?: { readonly sessions: number; readonly events: number };
}

export function checkHistory(history: History): Verdict {
  const index = new HistoryIndex(history);
  const sink = new ViolationSink();
  const counts: Counts = { acknowledged: 0, lost: 0, unverified: 0, duplicates: 0, unseen: 0, infoApplied: 0, attempts: 0, reads: index.readCalls.length };
  checkAcks(index, sink, counts);
  checkRecords(index, sink);
  checkReaders(index, sink);
  checkAckOrder(index, sink);
  checkKeyOrder(index, sink);
  checkTilingOfSnapshots(index, sink);
  checkAckedInOpenShard(index, sink);
  checkLineage(index, sink);
  checkReplicas(history.replicas, sink);
  checkExits(history, sink);
  checkApisAcknowledged(history, sink);
  checkHostile(history, sink);
  checkArrivals(history, sink);
  checkFailoverStorm(history, sink);
  checkDisk(history, sink);
  checkEtcdOutages(index, sink);
  const reshards = checkReshards(history, sink);
  const leaderChanges = checkEpochs(history, sink);
  const subscriptions = checkSubscriptions(index, sink);
  const availability = measureAvailability(index, sink);
  const violations = Object.fromEntries(VIOLATION_TYPES.map((t) => [t, sink.counts.get(t) ?? 0])) as Record<ViolationType, number>;
  const expectedLoss = expectedLossOf(history.run, counts.lost, violations);
  return {
    pass: sink.total() === 0, ...(expectedLoss !== undefined ? { expectedLoss } : {}), run: history.run, counts, violations, details: sink.details, availability,
    replicasChecked: history.replicas !== undefined,
    ...(reshards ? { reshards } : {}), ...(leaderChanges !== undefined ? { leaderChanges } : {}), ...(subscriptions ? { subscriptions } : {}),
  };
}

/** JSON.stringify replacer: violation details may quote sequence numbers held as bigint. */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** The verdict as a short table for a terminal (one screen). */
export function formatVerdict(v: Verdict): string {
  const lines: string[] = [];
  lines.push(`scenario ${v.run.scenario}  seed ${v.run.seed}  stream ${v.run.streamName}  ${((v.run.endMs - v.run.startMs) / 1000).toFixed(1)} s`);
  lines.push(`verdict  ${v.pass ? 'PASS' : v.expectedLoss !== undefined ? `EXPECTED LOSS ${v.expectedLoss} (documented: ${expectedLossReason(v.run) ?? ''})` : 'FAIL'}`);
  const c = v.counts;
  lines.push(`puts     attempts ${c.attempts}  acknowledged ${c.acknowledged}  lost ${c.lost}  unverified ${c.unverified}  duplicates ${c.duplicates}  unseen ${c.unseen}  info-applied ${c.infoApplied}  reads ${c.reads}`);
  const a = v.availability;
  lines.push(`faults   ${a.gaps.length}  write gap p50 ${a.p50Ms} ms  p99 ${a.p99Ms} ms  max ${a.maxMs} ms${v.run.writeGapP99MsMax !== undefined ? `  (bound p99 < ${v.run.writeGapP99MsMax} ms)` : ''}`);
  lines.push(`replicas ${v.replicasChecked ? 'checked' : 'no dump (not checked)'}`);
  const r = v.reshards;
  if (r) lines.push(`reshards attempts ${r.attempts}  accepted ${r.accepted}  done ${r.done}  rolled back ${r.rolledBack}  unresolved ${r.unresolved}  longest ${r.resolveMsMax} ms`);
  if (v.leaderChanges !== undefined) lines.push(`leaders  ${v.leaderChanges} changes in etcd`);
  if (v.subscriptions) lines.push(`fan-out  ${v.subscriptions.sessions} subscription sessions, ${v.subscriptions.events} events`);
  lines.push('INVARIANT                      VIOLATIONS');
  for (const [type, n] of Object.entries(v.violations)) lines.push(`${type.padEnd(30)} ${n === 0 ? 'ok' : String(n)}`);
  for (const d of v.details.slice(0, 10)) lines.push(`  ${d.type}: ${d.message}`);
  return lines.join('\n');
}

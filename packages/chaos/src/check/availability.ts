/**
 * Availability: the write gap of each disruptive fault (kill, stop, term,
 * partition) is
 * the longest pause between consecutive acknowledgements on each shard it
 * aimed at (all shards when it names none), among the pauses that overlap
 * the window from the fault to the next disruptive fault (at most
 * FAULT_GAP_WINDOW_MS, never past the last acknowledgement of the run, so
 * the end of the write phase is not a gap). A shard with no acknowledgement
 * left in the window counts up to the window's end, or up to when it was
 * seen closed by a reshard (a child counts from when it was first listed).
 */
import { isClosedShard } from '@shoal/metadata';
import { FAULT_GAP_WINDOW_MS } from '../chaos-limits';
import type { FaultEvent, ShardSnapshot } from '../history/history-format';
import type { HistoryIndex } from './history-index';
import type { ViolationSink } from './violations';

export interface FaultGap {
  readonly atMs: number;
  readonly action: string;
  readonly target: string;
  readonly shardIds: readonly string[];
  readonly gapMs: number;
}

export interface Availability {
  readonly gaps: readonly FaultGap[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const DISRUPTIVE = new Set(['kill', 'stop', 'term', 'partition']);

/** Nearest-rank percentile of ascending values (0 for none). */
export function percentile(sortedAsc: readonly number[], p: number): number {
  if (sortedAsc.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length, Math.max(1, rank)) - 1] as number;
}

/** Longest gap between consecutive times (ascending) that overlaps [fromMs, toMs]. */
export function longestGap(timesAsc: readonly number[], fromMs: number, toMs: number): number {
  let i = 0;
  while (i < timesAsc.length && (timesAsc[i] as number) <= fromMs) i++;
  let previous = i > 0 ? (timesAsc[i - 1] as number) : fromMs;
  let longest = 0;
  for (; i < timesAsc.length && previous < toMs; i++) {
    const t = timesAsc[i] as number;
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  if (previous < toMs && (i >= timesAsc.length)) longest = Math.max(longest, toMs - previous);
  return longest;
}

/**
 * When each shard could take writes, as the snapshots show it: a child
 * from the first snapshot that lists it, a closed shard until the first
 * snapshot that shows it closed (a reshard ends a parent's writes for good:
 * that is not a gap past its end).
 */
export function shardLifetimes(snapshots: readonly ShardSnapshot[]): Map<string, { bornMs?: number; closedMs?: number }> {
  const out = new Map<string, { bornMs?: number; closedMs?: number }>();
  for (const snap of snapshots) {
    if (snap.outcome !== 'ok') continue;
    for (const s of snap.shards) {
      const life = out.get(s.shardId) ?? {};
      if (life.bornMs === undefined && s.parentShardId !== undefined) life.bornMs = snap.startMs;
      if (life.closedMs === undefined && isClosedShard(s)) life.closedMs = snap.endMs;
      out.set(s.shardId, life);
    }
  }
  return out;
}

export function measureAvailability(index: HistoryIndex, sink: ViolationSink): Availability {
  const ackTimes = new Map<string, number[]>();
  for (const ack of index.acks) {
    const times = ackTimes.get(ack.shardId);
    if (times) times.push(ack.endMs); else ackTimes.set(ack.shardId, [ack.endMs]);
  }
  for (const times of ackTimes.values()) times.sort((a, b) => a - b);
  const allShards = [...ackTimes.keys()];
  const lastAckMs = index.acks.reduce((m, a) => Math.max(m, a.endMs), 0);
  const lifetimes = shardLifetimes(index.history.shards);
  const faults = index.history.faults.filter((f) => DISRUPTIVE.has(f.action)).sort((a, b) => a.atMs - b.atMs);
  const gaps = faults.map((f: FaultEvent, i): FaultGap => {
    const next = faults[i + 1]?.atMs ?? Number.POSITIVE_INFINITY;
    const toMs = Math.min(next, f.atMs + FAULT_GAP_WINDOW_MS, index.history.run.endMs, lastAckMs);
    const shardIds = f.shardIds && f.shardIds.length > 0 ? f.shardIds : allShards;
    const gapMs = Math.max(0, ...shardIds.map((s) => {
      const life = lifetimes.get(s);
      const from = Math.max(f.atMs, life?.bornMs ?? f.atMs);
      const to = Math.min(toMs, life?.closedMs ?? toMs);
      return from < to ? longestGap(ackTimes.get(s) ?? [], from, to) : 0;
    }));
    return { atMs: f.atMs, action: f.action, target: f.target, shardIds, gapMs };
  });
  const sorted = gaps.map((g) => g.gapMs).sort((a, b) => a - b);
  const availability = { gaps, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? 0 };
  const bound = index.history.run.writeGapP99MsMax;
  if (bound !== undefined && availability.p99Ms > bound) {
    const worst = gaps.reduce((a, b) => (b.gapMs > a.gapMs ? b : a));
    sink.add('write-gap-exceeded', `write gap p99 ${availability.p99Ms} ms > ${bound} ms (worst: ${worst.gapMs} ms after ${worst.action} ${worst.target} at ${worst.atMs})`, [worst]);
  }
  return availability;
}

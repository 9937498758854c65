/**
 * What the controller starts when a stream has no round in progress, as a
 * pure function of the stream, its shards and their measured utilization:
 *
 * - an UpdateShardCount target: the next uniform round toward it;
 * - an ON_DEMAND stream below its warm throughput: a uniform round toward
 *   ceil(WarmThroughputMiBps) shards (1 MiB/s each);
 * - an ON_DEMAND stream otherwise: split (at the midpoint) every open shard
 *   whose utilization over the last window was at least
 *   ONDEMAND_SPLIT_UTILIZATION of its write limit; if none is hot and the
 *   last round ended a cool-down ago, merge adjacent pairs whose summed
 *   utilization is below ONDEMAND_MERGE_UTILIZATION, keeping at least the
 *   warm / minimum shard count.
 * A shard is judged only once the window fits entirely in its life and in
 * the controller's measurements (`judgeableSinceMs`).
 */
import { limits, mergeStep, midpointSplitStep, planUniformRound, type ReshardStep, type ShardRange } from '@shoal/core';
import type { ShardRecord, StreamRecord } from '@shoal/metadata';
import { ONDEMAND_MERGE_UTILIZATION, ONDEMAND_SPLIT_UTILIZATION, RESHARD_STEPS_PER_ROUND_MAX } from './controller-limits';
import { rangeOf } from './reshard-plans';

export interface AutoscaleSettings {
  /** Length of the utilization window. */
  readonly windowMs: number;
  /** Time after a round before cold shards may merge. */
  readonly cooldownMs: number;
}

/** Utilization of one shard over the window: demand / write limit (0..; above 1 when throttled), or undefined if unknown. */
export type UtilizationOf = (shard: ShardRecord) => number | undefined;

export interface RoundChoice {
  readonly cause: 'update-shard-count' | 'on-demand' | 'warm-throughput';
  readonly steps: ReshardStep[];
}

/** Shards needed to carry a warm throughput target at 1 MiB/s per shard. */
function warmShardCount(stream: StreamRecord): number {
  const mibps = stream.warmThroughputMiBps ?? 0;
  return Math.ceil((mibps * 1024 * 1024) / limits.SHARD_WRITE_BYTES_PER_SEC);
}

/**
 * The round to start for `stream` (open shards `open`), or undefined if
 * none. For an UpdateShardCount target an empty `steps` means reached.
 */
export function chooseRound(stream: StreamRecord, open: readonly ShardRecord[], utilization: UtilizationOf, judgeableSinceMs: number,
  nowMs: number, settings: AutoscaleSettings): RoundChoice | undefined {
  const ranges = open.map(rangeOf);
  if (stream.targetShardCount !== undefined) {
    return { cause: 'update-shard-count', steps: planUniformRound(ranges, stream.targetShardCount, RESHARD_STEPS_PER_ROUND_MAX) };
  }
  if (stream.mode !== 'ON_DEMAND' || stream.status !== 'ACTIVE') return undefined;
  const warm = warmShardCount(stream);
  if (open.length < warm) {
    const steps = planUniformRound(ranges, warm, RESHARD_STEPS_PER_ROUND_MAX);
    return steps.length > 0 ? { cause: 'warm-throughput', steps } : undefined;
  }
  const judged = (s: ShardRecord): number | undefined =>
    (Math.max(s.createdMs, judgeableSinceMs) + settings.windowMs <= nowMs ? utilization(s) : undefined);
  const hot: ReshardStep[] = [];
  for (const s of open) {
    const u = judged(s);
    if (u === undefined || u < ONDEMAND_SPLIT_UTILIZATION) continue;
    const step = midpointSplitStep(rangeOf(s));
    if (step) hot.push(step);
    if (hot.length >= RESHARD_STEPS_PER_ROUND_MAX) break;
  }
  if (hot.length > 0) return { cause: 'on-demand', steps: hot };
  if (nowMs - (stream.lastReshardMs ?? stream.createdMs) < settings.cooldownMs) return undefined;
  const merges = coldMerges(open, judged, Math.max(limits.ON_DEMAND_SHARD_COUNT_MIN, warm));
  return merges.length > 0 ? { cause: 'on-demand', steps: merges } : undefined;
}

/** Disjoint adjacent cold pairs, left to right, while the shard count stays at least `floor`. */
function coldMerges(open: readonly ShardRecord[], judged: (s: ShardRecord) => number | undefined, floor: number): ReshardStep[] {
  const sorted: Array<{ record: ShardRecord; range: ShardRange }> = open.map((record) => ({ record, range: rangeOf(record) }))
    .sort((a, b) => (a.range.start < b.range.start ? -1 : 1));
  const steps: ReshardStep[] = [];
  let count = sorted.length;
  for (let i = 1; i < sorted.length && count > floor && steps.length < RESHARD_STEPS_PER_ROUND_MAX; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    const ua = judged(a.record);
    const ub = judged(b.record);
    if (ua === undefined || ub === undefined || ua + ub >= ONDEMAND_MERGE_UTILIZATION) continue;
    steps.push(mergeStep(a.range, b.range));
    count--;
    i++;
  }
  return steps;
}

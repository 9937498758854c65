/**
 * Seeded schedules of the reshard scenarios (pure: no clock, no I/O).
 * The controller-crash scenario crashes the active controller at each
 * point of a reshard round in turn (the controller's test-only hook,
 * packages/controller/src/reshard-step-hook.ts): just before it commits
 * `closing` (the round is only requested), just after (the parents' leaders
 * seal with no controller), just before it commits `done` (every parent
 * sealed), and just after (the round complete). Splits first, then merges.
 * The reshard-kills scenario kills the leader of a parent of the round in
 * progress (the leader that must seal it) while the storm runs.
 */
import type { SeededRandom } from '../workload/seeded-random';

export const CRASH_POINTS = ['before-closing', 'after-closing', 'before-done', 'after-done'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Arm the hook at `point`, request a split or merge (of the shard at fraction `pick` of the open shards), and restart the controller it crashed. */
export interface ReshardCrashStep {
  readonly atMs: number;
  readonly action: 'reshard-crash';
  readonly point: CrashPoint;
  readonly op: 'split' | 'merge';
  readonly pick: number;
}

/** SIGKILL the leader of a parent of the next reshard round (its `pick` fraction of the parents); a random open shard's leader if no round starts soon. */
export interface ReshardParentKillStep {
  readonly atMs: number;
  readonly action: 'kill-reshard-parent-leader';
  readonly pick: number;
}

export type ReshardFaultStep = ReshardCrashStep | ReshardParentKillStep;

/** Every `periodMs` from `firstMs` kill the leader of a reshard parent, and restart what is down `restartAfterMs` later. */
export function reshardParentKills(random: SeededRandom, durationMs: number, firstMs: number, periodMs: number, restartAfterMs: number): Array<ReshardParentKillStep | { atMs: number; action: 'restart' }> {
  const steps: Array<ReshardParentKillStep | { atMs: number; action: 'restart' }> = [];
  for (let at = firstMs; at + restartAfterMs < durationMs; at += periodMs) {
    steps.push({ atMs: at, action: 'kill-reshard-parent-leader', pick: random.next() });
    steps.push({ atMs: at + restartAfterMs, action: 'restart' });
  }
  return steps;
}

/** One crash step every `periodMs` from `firstMs` while one fits in `durationMs`: every point with a split, then every point with a merge, then again. */
export function reshardCrashes(random: SeededRandom, durationMs: number, firstMs: number, periodMs: number): ReshardCrashStep[] {
  const steps: ReshardCrashStep[] = [];
  for (let i = 0, at = firstMs; at + periodMs <= durationMs; i++, at += periodMs) {
    const op = Math.floor(i / CRASH_POINTS.length) % 2 === 0 ? 'split' : 'merge';
    steps.push({ atMs: at, action: 'reshard-crash', point: CRASH_POINTS[i % CRASH_POINTS.length]!, op, pick: random.next() });
  }
  return steps;
}

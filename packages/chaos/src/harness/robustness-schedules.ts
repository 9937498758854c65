/**
 * Seeded schedules of the clock-skew, node-replacement and hostile-input
 * scenarios (pure, like fault-schedule.ts).
 */
import type { SeededRandom } from '../workload/seeded-random';
import { AZS, type FaultStep } from './fault-schedule';

export const CLOCK_SKEW_MS = 30_000;

/**
 * A shard's leader restarted with its clock +30 s, then a controller with
 * its clock -30 s made the active one, then that shard's leader killed
 * (its successor, with a true clock, stamps after the skewed arrivals) and
 * a random shard's leader killed; each killed node restarted 3 s later.
 */
export function clockSkew(random: SeededRandom, durationMs: number): FaultStep[] {
  const pick = random.next();
  const steps: FaultStep[] = [
    { atMs: 2_000, action: 'skew-shard-leader', pick, offsetMs: CLOCK_SKEW_MS },
    { atMs: 10_000, action: 'skew-controller', offsetMs: -CLOCK_SKEW_MS },
    { atMs: 18_000, action: 'kill-shard-leader', pick }, { atMs: 21_000, action: 'restart' },
    { atMs: 28_000, action: 'kill-shard-leader', pick: random.next() }, { atMs: 31_000, action: 'restart' },
  ];
  return steps.filter((s) => s.atMs < durationMs);
}

/** The storage node of a random AZ that node replacement kills for good, and its replacement (the AZ's second node). */
export function replacedNode(random: SeededRandom): { target: string; replacement: string } {
  const letter = random.pick(AZS).slice(-1);
  return { target: `${letter}1`, replacement: `${letter}2` };
}

/** Replace `target` by `replacement` at 3 s, then SIGKILL / SIGTERM each api process in turn every 8 s, restarting each 3 s later. */
export function nodeReplacement(target: string, replacement: string, durationMs: number): FaultStep[] {
  const steps: FaultStep[] = [{ atMs: 3_000, action: 'replace-node', target, replacement }];
  const churn: Array<['api' | 'api-2', 'SIGKILL' | 'SIGTERM']> = [['api', 'SIGKILL'], ['api-2', 'SIGKILL'], ['api', 'SIGTERM'], ['api-2', 'SIGTERM']];
  churn.forEach(([t, signal], i) => {
    const at = 8_000 + i * 8_000;
    if (at + 3_000 < durationMs) steps.push({ atMs: at, action: 'signal', target: t, signal }, { atMs: at + 3_000, action: 'restart' });
  });
  return steps;
}

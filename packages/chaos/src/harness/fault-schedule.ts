/**
 * Seeded fault schedules (pure: no clock, no I/O). A schedule is a list of
 * steps at offsets from the start of the fault phase; the injector turns
 * each into signals and `cluster up` restarts. The same seed gives the same
 * schedule, so a run can be replayed.
 */
import type { SeededRandom } from '../workload/seeded-random';

export interface FaultStep {
  /** Offset from the start of the fault phase. */
  readonly atMs: number;
  readonly action: 'kill-shard-leader' | 'restart';
  /** For kill-shard-leader: which shard, as a fraction in [0, 1) of the shard list at that time. */
  readonly pick: number;
}

/** Every `periodMs` SIGKILL the leader of a random shard; restart `restartAfterMs` later. */
export function leaderKillLoop(random: SeededRandom, durationMs: number, periodMs: number, restartAfterMs: number): FaultStep[] {
  const steps: FaultStep[] = [];
  for (let at = periodMs; at + restartAfterMs < durationMs; at += periodMs) {
    steps.push({ atMs: at, action: 'kill-shard-leader', pick: random.next() });
    steps.push({ atMs: at + restartAfterMs, action: 'restart', pick: 0 });
  }
  return steps;
}

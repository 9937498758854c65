/** The scenarios of the suite (CHAOS.md), by tier. Each turns a seed into a fault schedule and names its pass bound. */
import type { SeededRandom } from '../workload/seeded-random';
import { leaderKillLoop, type FaultStep } from './fault-schedule';

export interface Scenario {
  readonly name: string;
  readonly tiers: ReadonlyArray<'quick' | 'full'>;
  /** Length of the fault phase when --duration is not given. */
  readonly durationMsDefault: number;
  readonly shardCount: number;
  readonly schedule: (random: SeededRandom, durationMs: number) => FaultStep[];
  readonly writeGapP99MsMax?: number;
}

const LEADER_KILL_PERIOD_MS = 10_000;
const LEADER_RESTART_AFTER_MS = 3_000;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'leader-kill-loop', tiers: ['quick', 'full'], durationMsDefault: 45_000, shardCount: 4,
    schedule: (random, durationMs) => leaderKillLoop(random, durationMs, LEADER_KILL_PERIOD_MS, LEADER_RESTART_AFTER_MS),
    writeGapP99MsMax: 5_000,
  },
];

export function scenariosFor(tier: string, only: string | undefined): Scenario[] {
  const list = SCENARIOS.filter((s) => (only ? s.name === only : s.tiers.includes(tier as 'quick' | 'full')));
  if (list.length === 0) throw new Error(`no scenario for tier ${tier}${only ? ` named ${only}` : ''}`);
  return list;
}

/**
 * The scenarios of the suite (CHAOS.md), by tier. Each turns a seed into a
 * fault schedule and names its pass bound on the write gap per fault (the
 * safety invariants of the checker apply to all). Fault phases are short
 * so the quick tier fits CI on a 2-core machine; nodes run with 3 s leases
 * (ClusterOptions.leaseTtlSec) so failovers fit the bounds.
 */
import type { SeededRandom } from '../workload/seeded-random';
import { apiChurn, azOutage, etcdDisruption, leaderKillLoop, leaderLoop, slowFlakyAz, type FaultStep } from './fault-schedule';

export type Tier = 'quick' | 'full';

export interface Scenario {
  readonly name: string;
  readonly tiers: readonly Tier[];
  /** Length of the fault phase when --duration-sec is not given. */
  readonly durationMsDefault: number;
  readonly shardCount: number;
  readonly schedule: (random: SeededRandom, durationMs: number) => FaultStep[];
  /** What is injected, in a few words (the summary table's "faults" column). */
  readonly faults: string;
  readonly writeGapP99MsMax?: number;
}

const BOTH: readonly Tier[] = ['quick', 'full'];
const FULL: readonly Tier[] = ['full'];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'leader-kill-loop', tiers: BOTH, durationMsDefault: 40_000, shardCount: 4, faults: 'SIGKILL a shard leader every 10 s, restart 3 s later',
    schedule: (random, durationMs) => leaderKillLoop(random, durationMs, 10_000, 3_000),
    writeGapP99MsMax: 5_000,
  },
  {
    name: 'az-outage', tiers: BOTH, durationMsDefault: 40_000, shardCount: 4, faults: 'SIGKILL every process of one AZ for 30 s',
    schedule: (random) => azOutage(random, 3_000, 30_000),
    writeGapP99MsMax: 10_000,
  },
  {
    name: 'zombie-leader', tiers: BOTH, durationMsDefault: 32_000, shardCount: 4, faults: 'cut a leader off from its followers and etcd for 10 s (api still reaches it), twice',
    schedule: (random, durationMs) => leaderLoop(random, durationMs, 3_000, 15_000, 10_000, 'isolate-shard-leader', 'heal-links'),
    writeGapP99MsMax: 10_000,
  },
  {
    name: 'leader-pause', tiers: BOTH, durationMsDefault: 32_000, shardCount: 4, faults: 'SIGSTOP a leader for 8 s (past its 3 s lease), SIGCONT, twice',
    schedule: (random, durationMs) => leaderLoop(random, durationMs, 3_000, 15_000, 8_000, 'pause-shard-leader', 'resume'),
    writeGapP99MsMax: 10_000,
  },
  {
    name: 'double-failover', tiers: FULL, durationMsDefault: 40_000, shardCount: 4, faults: 'SIGKILL a leader, then the new leader as soon as it is named; restart 6 s later',
    schedule: (random, durationMs) => leaderLoop(random, durationMs, 3_000, 12_000, 6_000, 'double-kill-shard-leader', 'restart'),
  },
  {
    name: 'etcd-disruption', tiers: FULL, durationMsDefault: 35_000, shardCount: 4, faults: 'SIGKILL etcd, restart 3 s later; SIGSTOP etcd for 10 s',
    schedule: () => etcdDisruption(3_000, 3_000, 15_000, 10_000),
  },
  {
    name: 'slow-flaky-links', tiers: FULL, durationMsDefault: 35_000, shardCount: 4, faults: "one AZ's links delayed 100 ms and reset every 5 s for 30 s",
    schedule: (random) => slowFlakyAz(random, 2_000, 30_000, 100, 5_000),
  },
  {
    name: 'api-churn', tiers: FULL, durationMsDefault: 35_000, shardCount: 4, faults: 'SIGKILL / SIGTERM each api process in turn, restart 3 s later',
    schedule: () => apiChurn(3_000, 7_000, 3_000),
  },
];

export function scenariosFor(tier: string, only: string | undefined): Scenario[] {
  const list = SCENARIOS.filter((s) => (only ? s.name === only : s.tiers.includes(tier as Tier)));
  if (list.length === 0) throw new Error(`no scenario for tier ${tier}${only ? ` named ${only}` : ''}`);
  return list;
}

/**
 * The scenarios of the suite (CHAOS.md), by tier. Each turns a seed into a
 * fault schedule and names its pass bound on the write gap per fault (the
 * safety invariants of the checker apply to all). Fault phases are short
 * so the quick tier fits CI on a 2-core machine; nodes run with 3 s leases
 * (ClusterOptions.leaseTtlSec) so failovers fit the bounds.
 */
import type { SeededRandom } from '../workload/seeded-random';
import type { ClusterOptions } from './cluster-control';
import type { SideLoad, SideLoadContext } from './side-load';
import { clockSkew, nodeReplacement, replacedNode } from './robustness-schedules';
import { startHostileClient } from '../hostile/hostile-client';
import { startReshardStorm } from '../workload/reshard-storm';
import { startFanOutSubscribers } from '../workload/fanout-subscribers';
import { reshardCrashes, reshardParentKills } from './reshard-schedule';
import { powerCuts, replicaCorruptions } from './disk-schedules';
import { etcdLeaderKills } from './etcd-schedule';
import { apiChurn, azOutage, azPartition, etcdDisruption, leaderKillLoop, leaderLoop, slowFlakyAz, type FaultStep } from './fault-schedule';

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
  /** Load beside the workload during the fault phase (e.g. the hostile client). */
  readonly sideLoad?: (ctx: SideLoadContext) => SideLoad;
  /** Cluster options of this scenario (spare nodes, controller grace), over the tier's. */
  readonly cluster?: Partial<ClusterOptions>;
  /** Live readers send each GetRecords to another api process than the one that issued the iterator. */
  readonly crossApiReads?: boolean;
  /** A loss the product accepts by design, and why (the verdict reads EXPECTED LOSS n: check/expected-loss.ts). */
  readonly expectedLoss?: string;
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
    name: 'reshard-storm', tiers: BOTH, durationMsDefault: 30_000, shardCount: 4, sideLoad: startReshardStorm,
    faults: 'SplitShard / MergeShards 1-3 s after the last round settled, under load (2 to 8 open shards)',
    schedule: () => [],
  },
  {
    name: 'reshard-kills', tiers: FULL, durationMsDefault: 40_000, shardCount: 4, sideLoad: startReshardStorm,
    faults: 'the reshard storm, and every 10 s SIGKILL the leader of a parent of the round in progress, restart 3 s later',
    schedule: (random, durationMs) => reshardParentKills(random, durationMs, 10_000, 10_000, 3_000),
  },
  {
    name: 'reshard-ctl-crash', tiers: FULL, durationMsDefault: 100_000, shardCount: 4, cluster: { reshardCrashHook: true },
    faults: 'the active controller SIGKILLed at each step of a split, then of a merge; restarted once the standby settles the round',
    schedule: (random, durationMs) => reshardCrashes(random, durationMs, 1_000, 12_000),
  },
  {
    name: 'etcd-disruption', tiers: FULL, durationMsDefault: 35_000, shardCount: 4, faults: 'SIGKILL etcd, restart 3 s later; SIGSTOP etcd for 10 s',
    schedule: () => etcdDisruption(3_000, 3_000, 15_000, 10_000),
  },
  {
    name: 'etcd-leader-kill', tiers: FULL, durationMsDefault: 50_000, shardCount: 4, cluster: { etcdMembers: 3 },
    faults: 'etcd as 3 members: SIGKILL the raft leader, restart it 2-4 s later, 3 times; then SIGSTOP 2 members for 10 s',
    schedule: (random, durationMs) => etcdLeaderKills(random, durationMs, { firstMs: 3_000, periodMs: 8_000, jitterMs: 2_000, downMsMin: 2_000, downMsMax: 4_000, pauseMs: 10_000, recoveryMs: 12_000 }),
    // The majority stop's gap is its 10 s plus the recovery after SIGCONT, which must stay under 10 s (CHAOS.md).
    writeGapP99MsMax: 20_000,
  },
  {
    name: 'slow-flaky-links', tiers: FULL, durationMsDefault: 35_000, shardCount: 4, faults: "one AZ's links delayed 100 ms and reset every 5 s for 30 s",
    schedule: (random) => slowFlakyAz(random, 2_000, 30_000, 100, 5_000),
  },
  {
    name: 'api-churn', tiers: FULL, durationMsDefault: 35_000, shardCount: 4, faults: 'SIGKILL / SIGTERM each api process in turn, restart 3 s later',
    schedule: () => apiChurn(3_000, 7_000, 3_000),
  },
  {
    name: 'az-partition', tiers: FULL, durationMsDefault: 30_000, shardCount: 4, faults: 'cut one AZ off from the other two and etcd (both ways) for 20 s; clients still reach its api',
    schedule: (random) => azPartition(random, 3_000, 20_000),
    // The partition's length: every shard acknowledges again while the AZ is still cut off. Larger than az-outage's
    // bound because the cut AZ's api still accepts requests and holds them until the client's 5 s deadline.
    writeGapP99MsMax: 20_000,
  },
  {
    name: 'clock-skew', tiers: FULL, durationMsDefault: 36_000, shardCount: 4,
    faults: 'restart a leader node with its clock +30 s and fail the controller over to one at -30 s; kill that leader, then another',
    schedule: (random, durationMs) => clockSkew(random, durationMs),
  },
  {
    name: 'node-replacement', tiers: FULL, durationMsDefault: 42_000, shardCount: 4, cluster: { spareNodes: ['a2', 'b2', 'c2'], rereplicationGraceSec: 5 }, crossApiReads: true,
    faults: 'kill a storage node for good, start an empty one in its AZ (re-replication after 5 s); kill each api in turn; reads cross api processes',
    schedule: (random, durationMs) => { const r = replacedNode(random); return nodeReplacement(r.target, r.replacement, durationMs); },
  },
  {
    name: 'hostile-input', tiers: FULL, durationMsDefault: 75_000, shardCount: 4, sideLoad: startHostileClient,
    faults: 'the bad-input corpus over HTTP/1.1 and HTTP/2 and 40 slow clients while writing; one leader kill',
    schedule: (random) => [{ atMs: 20_000, action: 'kill-shard-leader', pick: random.next() }, { atMs: 23_000, action: 'restart' }],
  },
  {
    name: 'power-cut', tiers: BOTH, durationMsDefault: 25_000, shardCount: 4, cluster: { nodeArgs: ['--fsync', 'on'], powerCutShim: true },
    faults: 'every storage node loses power (writes not fsynced are dropped) and restarts, twice; nodes run --fsync on (the default)',
    schedule: (_random, durationMs) => powerCuts(durationMs, 5_000, 12_000),
  },
  {
    name: 'power-cut-fast', tiers: FULL, durationMsDefault: 25_000, shardCount: 4, cluster: { nodeArgs: ['--fsync', 'off'], powerCutShim: true },
    faults: 'the same power cuts with --fsync off',
    schedule: (_random, durationMs) => powerCuts(durationMs, 5_000, 12_000),
    expectedLoss: '--fsync off acknowledges records held in the page cache of every in-sync replica; all replicas losing power at once loses them (storage-node main.ts, docs/chaos.md)',
  },
  {
    name: 'secure-leader-kill', tiers: BOTH, durationMsDefault: 30_000, shardCount: 4, cluster: { secure: true },
    faults: 'auth (SigV4 verified) and TLS on, the workload over HTTPS with a real key; SIGKILL a shard leader every 10 s, restart 3 s later',
    schedule: (random, durationMs) => leaderKillLoop(random, durationMs, 10_000, 3_000),
    writeGapP99MsMax: 5_000,
  },
  {
    name: 'replica-corruption', tiers: FULL, durationMsDefault: 30_000, shardCount: 4,
    faults: "flip 16 bits in a follower's record data (LevelDB), kill the shard's leader, restart the follower; leader back 8 s later; twice",
    schedule: (random, durationMs) => replicaCorruptions(random, durationMs, 3_000, 15_000, 8_000, 16),
  },
  {
    name: 'fanout-failover', tiers: BOTH, durationMsDefault: 30_000, shardCount: 4, sideLoad: startFanOutSubscribers,
    cluster: { apiEnv: { SHOAL_SUBSCRIPTION_SESSION_MS: '10000' } },
    faults: 'two fan-out consumers (HTTP/2, HTTP/1.1) on every shard, 10 s sessions; SIGKILL a shard leader every 10 s, restart 3 s later; one split',
    schedule: (random, durationMs) => leaderKillLoop(random, durationMs, 10_000, 3_000),
  },
];

export function scenariosFor(tier: string, only: string | undefined): Scenario[] {
  const list = SCENARIOS.filter((s) => (only ? s.name === only : s.tiers.includes(tier as Tier)));
  if (list.length === 0) throw new Error(`no scenario for tier ${tier}${only ? ` named ${only}` : ''}`);
  return list;
}

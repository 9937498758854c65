/**
 * Seeded schedule of the etcd-leader-kill scenario (pure: no clock, no
 * I/O), for a cluster of several etcd members (etcd-members.ts): SIGKILL
 * the member that is the raft leader at that moment, restart it a few
 * seconds later (the others elect a new leader meanwhile; quorum holds),
 * a few times; then SIGSTOP a majority of the members (quorum lost: no
 * lease can be renewed, so shard leaders must stop acknowledging) and
 * SIGCONT them `pauseMs` later, leaving `recoveryMs` of the fault phase
 * for writes to resume.
 */
import type { SeededRandom } from '../workload/seeded-random';
import type { FaultStep } from './fault-schedule';

/** SIGKILL the etcd member that is the raft leader when the step runs. */
export interface EtcdLeaderKillStep {
  readonly atMs: number;
  readonly action: 'kill-etcd-leader';
}

/** SIGSTOP every etcd member but one: the one at fraction `pick` of the members stays up (without quorum). */
export interface EtcdMajorityStopStep {
  readonly atMs: number;
  readonly action: 'stop-etcd-majority';
  readonly pick: number;
}

export type EtcdStep = EtcdLeaderKillStep | EtcdMajorityStopStep;

export interface EtcdLeaderKillTiming {
  readonly firstMs: number;
  readonly periodMs: number;
  /** Each kill is at its period's start plus up to this (seeded). */
  readonly jitterMs: number;
  /** The killed leader is restarted after a seeded wait in [downMsMin, downMsMax). */
  readonly downMsMin: number;
  readonly downMsMax: number;
  /** Majority stop: how long, and how much of the fault phase must be left after it. */
  readonly pauseMs: number;
  readonly recoveryMs: number;
}

/**
 * Leader kills every `periodMs` from `firstMs` (each restarted before the
 * next), as many as fit before the majority stop, which ends
 * `recoveryMs` before `durationMs`.
 */
export function etcdLeaderKills(random: SeededRandom, durationMs: number, t: EtcdLeaderKillTiming): FaultStep[] {
  const stopAtMs = durationMs - t.recoveryMs - t.pauseMs;
  if (t.jitterMs + t.downMsMax > t.periodMs) throw new Error('etcd leader kills: each restart must come before the next period');
  const steps: FaultStep[] = [];
  for (let period = t.firstMs; period + t.jitterMs + t.downMsMax <= stopAtMs; period += t.periodMs) {
    const at = period + random.int(t.jitterMs);
    steps.push({ atMs: at, action: 'kill-etcd-leader' }, { atMs: at + t.downMsMin + random.int(t.downMsMax - t.downMsMin), action: 'restart' });
  }
  if (stopAtMs >= t.firstMs) steps.push({ atMs: stopAtMs, action: 'stop-etcd-majority', pick: random.next() }, { atMs: stopAtMs + t.pauseMs, action: 'resume' });
  return steps;
}

/**
 * Seeded fault schedules (pure: no clock, no I/O). A schedule is a list of
 * steps at offsets from the start of the fault phase; the injector turns
 * each into signals, link changes and restarts. The same seed gives the
 * same schedule, so a run can be replayed.
 */
import type { SeededRandom } from '../workload/seeded-random';
import type { ReshardFaultStep } from './reshard-schedule';
import type { DiskStep } from './disk-schedules';
import type { EtcdStep } from './etcd-schedule';

/** A fault aimed at the leader of one open shard, chosen when the step runs. */
export type LeaderAction = 'kill-shard-leader' | 'pause-shard-leader' | 'isolate-shard-leader' | 'double-kill-shard-leader';

export type FaultStep =
  | ReshardFaultStep
  | DiskStep
  | EtcdStep
  | { readonly atMs: number; readonly action: LeaderAction; /** Which shard, as a fraction in [0, 1) of the open shards at that time. */ readonly pick: number }
  /** Start whatever is down; SIGCONT whatever is stopped; every link back to pass. */
  | { readonly atMs: number; readonly action: 'restart' | 'resume' | 'heal-links' }
  | { readonly atMs: number; readonly action: 'kill-az'; readonly az: string }
  /** Every link into or out of `az` delayed by `delayMs` until heal-links. */
  | { readonly atMs: number; readonly action: 'degrade-az'; readonly az: string; readonly delayMs: number }
  | { readonly atMs: number; readonly action: 'reset-az'; readonly az: string }
  /** `az` cut off from the other AZs and etcd, both ways (its api still reached by the clients), until heal-links. */
  | { readonly atMs: number; readonly action: 'partition-az'; readonly az: string }
  | { readonly atMs: number; readonly action: 'signal'; readonly target: string; readonly signal: 'SIGKILL' | 'SIGSTOP' | 'SIGTERM' | 'SIGCONT' }
  /** Restart the leader node of a shard (at `pick`) with its wall clock shifted by `offsetMs`. */
  | { readonly atMs: number; readonly action: 'skew-shard-leader'; readonly pick: number; readonly offsetMs: number }
  /** Make a controller whose wall clock is shifted by `offsetMs` the active one. */
  | { readonly atMs: number; readonly action: 'skew-controller'; readonly offsetMs: number }
  /** Kill storage node `target` for good and start the spare node `replacement` of its AZ. */
  | { readonly atMs: number; readonly action: 'replace-node'; readonly target: string; readonly replacement: string };

export const AZS = ['az-a', 'az-b', 'az-c'] as const;

/** Every `periodMs` SIGKILL the leader of a random shard; restart `restartAfterMs` later. */
export function leaderKillLoop(random: SeededRandom, durationMs: number, periodMs: number, restartAfterMs: number): FaultStep[] {
  return leaderLoop(random, durationMs, periodMs, periodMs, restartAfterMs, 'kill-shard-leader', 'restart');
}

/**
 * Every `periodMs` from `firstMs` apply `action` to the leader of a
 * random shard, and undo it with `undo` `undoAfterMs` later.
 */
export function leaderLoop(random: SeededRandom, durationMs: number, firstMs: number, periodMs: number, undoAfterMs: number,
  action: LeaderAction, undo: 'restart' | 'resume' | 'heal-links'): FaultStep[] {
  const steps: FaultStep[] = [];
  for (let at = firstMs; at + undoAfterMs < durationMs; at += periodMs) {
    steps.push({ atMs: at, action, pick: random.next() });
    steps.push({ atMs: at + undoAfterMs, action: undo });
  }
  return steps;
}

/** Kill every process of one random AZ at `atMs`, restart them `outageMs` later. */
export function azOutage(random: SeededRandom, atMs: number, outageMs: number): FaultStep[] {
  return [{ atMs, action: 'kill-az', az: random.pick(AZS) }, { atMs: atMs + outageMs, action: 'restart' }];
}

/** One random AZ's links delayed by `delayMs` from `atMs` for `forMs`, with every connection reset each `resetEveryMs`. */
export function slowFlakyAz(random: SeededRandom, atMs: number, forMs: number, delayMs: number, resetEveryMs: number): FaultStep[] {
  const az = random.pick(AZS);
  const steps: FaultStep[] = [{ atMs, action: 'degrade-az', az, delayMs }];
  for (let t = atMs + resetEveryMs; t < atMs + forMs; t += resetEveryMs) steps.push({ atMs: t, action: 'reset-az', az });
  steps.push({ atMs: atMs + forMs, action: 'heal-links' });
  return steps;
}

/** One random AZ cut off from the rest (both ways) at `atMs` for `forMs`, then healed. */
export function azPartition(random: SeededRandom, atMs: number, forMs: number): FaultStep[] {
  return [{ atMs, action: 'partition-az', az: random.pick(AZS) }, { atMs: atMs + forMs, action: 'heal-links' }];
}

/** Kill etcd, restart it `downMs` later; then SIGSTOP it for `pauseMs`. */
export function etcdDisruption(atMs: number, downMs: number, pauseAtMs: number, pauseMs: number): FaultStep[] {
  return [
    { atMs, action: 'signal', target: 'etcd', signal: 'SIGKILL' }, { atMs: atMs + downMs, action: 'restart' },
    { atMs: pauseAtMs, action: 'signal', target: 'etcd', signal: 'SIGSTOP' }, { atMs: pauseAtMs + pauseMs, action: 'resume' },
  ];
}

/** Kill each api process in turn (SIGKILL, then SIGTERM), restarting each `downMs` later. */
export function apiChurn(atMs: number, periodMs: number, downMs: number): FaultStep[] {
  const targets: Array<['api' | 'api-2', 'SIGKILL' | 'SIGTERM']> = [['api', 'SIGKILL'], ['api-2', 'SIGKILL'], ['api', 'SIGTERM'], ['api-2', 'SIGTERM']];
  return targets.flatMap(([target, signal], i): FaultStep[] => [
    { atMs: atMs + i * periodMs, action: 'signal', target, signal }, { atMs: atMs + i * periodMs + downMs, action: 'restart' },
  ]);
}

/**
 * Seeded schedules of the disk scenarios (pure: no clock, no I/O); the
 * steps are run by disk-faults.ts.
 *
 * - power-cut: every storage node loses power at once (SIGKILL, then the
 *   writes it never synced are dropped: power-cut.ts) and is restarted.
 * - corrupt-follower: a follower of a random shard is killed, bits are
 *   flipped in its LevelDB files, the shard's leader is killed too, and
 *   the follower is restarted while the leader stays down; a later
 *   `restart` brings the leader back.
 */
import type { SeededRandom } from '../workload/seeded-random';

export type DiskStep =
  | { readonly atMs: number; readonly action: 'power-cut' }
  | {
    readonly atMs: number;
    readonly action: 'corrupt-follower';
    /** The shard, as a fraction in [0, 1) of the open shards; the follower, as a fraction of its in-sync followers. */
    readonly pick: number;
    readonly followerPick: number;
    /** Bits to flip, and the seed of where. */
    readonly flips: number;
    readonly flipSeed: number;
  };

/** A power cut every `periodMs` from `firstMs` while one fits in `durationMs`. */
export function powerCuts(durationMs: number, firstMs: number, periodMs: number): DiskStep[] {
  const steps: DiskStep[] = [];
  for (let at = firstMs; at < durationMs; at += periodMs) steps.push({ atMs: at, action: 'power-cut' });
  return steps;
}

/** Every `periodMs` from `firstMs`: corrupt a follower and kill its leader; restart the leader `leaderDownMs` later. */
export function replicaCorruptions(random: SeededRandom, durationMs: number, firstMs: number, periodMs: number, leaderDownMs: number, flips: number): Array<DiskStep | { readonly atMs: number; readonly action: 'restart' }> {
  const steps: Array<DiskStep | { readonly atMs: number; readonly action: 'restart' }> = [];
  for (let at = firstMs; at + leaderDownMs < durationMs; at += periodMs) {
    steps.push({ atMs: at, action: 'corrupt-follower', pick: random.next(), followerPick: random.next(), flips, flipSeed: random.int(0x7fffffff) });
    steps.push({ atMs: at + leaderDownMs, action: 'restart' });
  }
  return steps;
}

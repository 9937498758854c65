/**
 * Reshard rounds end (reshard-stuck): every round the api accepted
 * (reshards.jsonl, outcome ok) is done or rolled back within
 * RESHARD_STUCK_MS, as the shard snapshots show it:
 *
 * - done: a snapshot begun after the acceptance shows every parent closed
 *   (the controller closes the parents and opens the children in one
 *   commit, so the children are open from then on);
 * - rolled back: a snapshot that carries the stream status shows ACTIVE
 *   with a parent still open, after a snapshot of the same api begun after
 *   the acceptance showed UPDATING (an api whose view still predates the
 *   request would show ACTIVE without it).
 *
 * A round still unresolved when a snapshot begun RESHARD_STUCK_MS after
 * its acceptance shows it unresolved is stuck; one the history ends too
 * early to judge is counted as unresolved. Independently of the requests
 * (a request of unknown outcome may have started a round), no api shows
 * the stream UPDATING for longer than RESHARD_STUCK_MS without a break.
 * Runs without reshards.jsonl (older folders, other scenarios) are skipped.
 */
import { isClosedShard } from '@shoal/metadata';
import { RESHARD_STUCK_MS } from '../chaos-limits';
import type { History, ShardSnapshot } from '../history/history-format';
import type { ReshardRequest } from '../history/reshard-format';
import type { ViolationSink } from './violations';

/** What the reshard requests of a run came to. */
export interface ReshardStats {
  /** Request attempts, and rounds the api accepted. */
  readonly attempts: number;
  readonly accepted: number;
  /** Accepted rounds seen done, seen rolled back, and not judged (the history ended first). */
  readonly done: number;
  readonly rolledBack: number;
  readonly unresolved: number;
  /** Longest time from acceptance to done or rolled back. */
  readonly resolveMsMax: number;
}

type Resolution = { kind: 'done' | 'rolled-back'; atMs: number; snapshot: ShardSnapshot } | undefined;

function parentsClosed(snap: ShardSnapshot, parents: readonly string[]): boolean {
  return parents.every((id) => snap.shards.some((s) => s.shardId === id && isClosedShard(s)));
}

function resolutionOf(req: ReshardRequest, snaps: readonly ShardSnapshot[]): Resolution {
  const sawUpdating = new Set<number>();
  for (const snap of snaps) {
    if (snap.startMs < req.endMs) continue;
    if (parentsClosed(snap, req.shardIds)) return { kind: 'done', atMs: snap.endMs, snapshot: snap };
    if (snap.streamStatus === 'UPDATING') sawUpdating.add(snap.api);
    else if (snap.streamStatus === 'ACTIVE' && sawUpdating.has(snap.api)) return { kind: 'rolled-back', atMs: snap.endMs, snapshot: snap };
  }
  return undefined;
}

/** No api shows the stream UPDATING for longer than the bound without a break (failed samples do not break it). */
function checkUpdatingStreaks(snaps: readonly ShardSnapshot[], sink: ViolationSink): void {
  const streaks = new Map<number, { first: ShardSnapshot; last: ShardSnapshot }>();
  const report = (first: ShardSnapshot, endMs: number, still: boolean): void => {
    if (endMs - first.startMs <= RESHARD_STUCK_MS) return;
    sink.add('reshard-stuck', `api ${first.api} showed the stream UPDATING from ${first.startMs} for ${endMs - first.startMs} ms${still ? ' (still at the last snapshot)' : ''}`, [first]);
  };
  for (const snap of snaps) {
    if (snap.streamStatus === undefined) continue;
    const streak = streaks.get(snap.api);
    if (snap.streamStatus === 'UPDATING') {
      streaks.set(snap.api, { first: streak?.first ?? snap, last: snap });
    } else if (streak) {
      report(streak.first, snap.endMs, false);
      streaks.delete(snap.api);
    }
  }
  for (const { first, last } of streaks.values()) report(first, last.endMs, true);
}

export function checkReshards(history: History, sink: ViolationSink): ReshardStats | undefined {
  const requests = history.reshards;
  if (requests === undefined) return undefined;
  const snaps = history.shards.filter((s) => s.outcome === 'ok').sort((a, b) => a.startMs - b.startMs);
  const lastStartMs = snaps.length > 0 ? snaps[snaps.length - 1]!.startMs : 0;
  let done = 0;
  let rolledBack = 0;
  let unresolved = 0;
  let resolveMsMax = 0;
  const accepted = requests.filter((r) => r.outcome === 'ok');
  for (const req of accepted) {
    const r = resolutionOf(req, snaps);
    const what = `${req.op} ${req.shardIds.join('+')} accepted at ${req.endMs}`;
    if (!r) {
      if (lastStartMs >= req.endMs + RESHARD_STUCK_MS) sink.add('reshard-stuck', `${what}: neither done nor rolled back by the last snapshot at ${lastStartMs}`, [req, snaps[snaps.length - 1]]);
      else unresolved++;
      continue;
    }
    if (r.kind === 'done') done++; else rolledBack++;
    const ms = r.atMs - req.endMs;
    resolveMsMax = Math.max(resolveMsMax, ms);
    if (ms > RESHARD_STUCK_MS) sink.add('reshard-stuck', `${what}: ${r.kind} only ${ms} ms later (bound ${RESHARD_STUCK_MS} ms)`, [req, r.snapshot]);
  }
  checkUpdatingStreaks(snaps, sink);
  return { attempts: requests.length, accepted: accepted.length, done, rolledBack, unresolved, resolveMsMax };
}

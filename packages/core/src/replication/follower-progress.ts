/**
 * The leader's bookkeeping of one follower (FollowerProgress,
 * replication-types.ts) as small pure helpers of ReplicaMachine: a fresh
 * record, a reset after a lost stream or a timeout, and whether time alone
 * can change what the leader does for it.
 */
import type { FollowerProgress } from './replication-types';

/** A follower the leader knows nothing about yet: probe it from the leader's log end. */
export function freshProgress(nowMs: number, logEnd: number): FollowerProgress {
  return {
    matchEnd: -1, nextOffset: logEnd, inflight: 0, lastSendMs: nowMs, lastAckMs: nowMs,
    followerHw: -1, rewindTo: undefined, retryAtMs: 0, lastCaughtUpMs: nowMs, leaderEndAtLastAck: logEnd, truncate: undefined,
    lastSendSeq: 0, resetSeq: 0,
  };
}

/**
 * Everything in flight is lost: resend from what it acknowledged (or probe
 * from the log end). Acks of the sends made so far are stale from now on.
 */
export function resetProgress(p: FollowerProgress, nowMs: number, logEnd: number): void {
  p.inflight = 0;
  p.resetSeq = p.lastSendSeq;
  p.rewindTo = undefined;
  p.truncate = undefined;
  p.nextOffset = p.matchEnd >= 0 ? p.matchEnd : logEnd;
  p.followerHw = -1;
  p.lastAckMs = nowMs;
  p.retryAtMs = 0;
}

/** Whether the follower has not reported the leader's high watermark `hw` (as far as its acknowledged log reaches). */
export function hwOwed(p: FollowerProgress, hw: number): boolean {
  return p.followerHw < Math.min(hw, p.matchEnd);
}

/** Whether the follower lacks something or has messages in flight (the leader must keep ticking). */
export function unsettled(p: FollowerProgress, logEnd: number, hw: number, nowMs: number): boolean {
  return p.inflight > 0 || p.truncate !== undefined || p.matchEnd < logEnd || p.nextOffset < logEnd || hwOwed(p, hw) || p.retryAtMs > nowMs;
}

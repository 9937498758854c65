/**
 * History lines of resharding and leadership (see history-format.ts for the
 * common conventions: JSONL, harness epoch ms, decimal strings):
 *
 *   reshards.jsonl  ReshardRequest: one line per SplitShard / MergeShards
 *                   attempt of the reshard storm or the controller-crash
 *                   steps, written when it completes. outcome ok (the api
 *                   accepted the round: stream UPDATING), fail (refused:
 *                   ResourceInUseException while another round runs,
 *                   LimitExceededException, InvalidArgumentException for a
 *                   shard closed since it was listed, ...) or info (unknown:
 *                   timeout, reset, InternalFailure).
 *   epochs.jsonl    EpochSample: the leader and epoch of every shard of the
 *                   stream as etcd holds them, one line at the start per
 *                   shard and one per change of leader or epoch, in watch
 *                   (revision) order.
 *
 * Shard snapshots (shards.jsonl) taken by the reshard storm's sampler also
 * carry the stream status (ShardSnapshot.streamStatus), so the checker can
 * tell a round that was rolled back from one still in progress.
 */
import type { Outcome } from './history-format';

export const RESHARD_FILES = { reshards: 'reshards.jsonl', epochs: 'epochs.jsonl' } as const;

export interface ReshardRequest {
  readonly type: 'reshard';
  readonly op: 'split' | 'merge';
  /** Who asked: the storm ("storm"), or a controller-crash step ("crash-<point>"). */
  readonly source: string;
  /** Index of the api endpoint used. */
  readonly api: number;
  /** Split: [ShardToSplit]; merge: [ShardToMerge, AdjacentShardToMerge]. */
  readonly shardIds: readonly string[];
  /** Split only: NewStartingHashKey. */
  readonly newStartingHashKey?: string;
  /** 1 for the first attempt of a request, then 2, 3, ... for retries. */
  readonly attempt: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: Outcome;
  readonly error?: string;
}

export interface EpochSample {
  readonly type: 'epoch';
  readonly atMs: number;
  readonly shardId: string;
  readonly leader: string;
  readonly epoch: number;
  /** etcd mod revision of the shard record (orders samples of one shard). */
  readonly modRevision: string;
}

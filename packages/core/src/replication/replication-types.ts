/**
 * The messages and values of the replication protocol as the pure
 * ReplicaMachine sees them (batch headers, not bytes; plain numbers, not
 * proto Longs). The storage node maps them to proto/shoal/v1/storage.proto.
 */
import type { EpochEntry } from './leader-epoch-cache';

export type ReplicaRole = 'leader' | 'follower';

/** The shard's metadata as the controller last wrote it. */
export interface ReplicaConfig {
  readonly epoch: number;
  readonly leader: string;
  readonly replicas: readonly string[];
  readonly isr: readonly string[];
  /** The shard record's etcd mod revision; ISR proposals and epoch bumps are guarded by it. */
  readonly revision: number;
  /** A reshard closes the shard: its leader admits nothing more and seals the log once all is committed. */
  readonly closing?: boolean;
  /** The log end the leader sealed (written once `closing` holds and everything is committed). */
  readonly sealedLogEnd?: number;
  /** A planned leadership move to this node is in progress: the leader admits nothing more. */
  readonly handoverTo?: string;
}

/**
 * The leader's answer to a divergent follower (KIP-279): "the largest epoch
 * I have <= your last epoch is `epoch`, and it ends at `endOffset` in my
 * log". Applied only if the follower still has the log end and last epoch
 * it reported (`ifLogEnd`, `ifLastEpoch`).
 */
export interface TruncateRequest {
  readonly epoch: number;
  readonly endOffset: number;
  readonly ifLogEnd: number;
  readonly ifLastEpoch: number;
}

/** An ISR change the leader wants written: `isr` in place of the record at `baseRevision`. */
export interface IsrProposal {
  readonly epoch: number;
  readonly baseRevision: number;
  readonly isr: readonly string[];
}

/** What survives a restart (the driver persists it). */
export interface ReplicaPersistedState {
  readonly epoch: number;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly epochCache: readonly EpochEntry[];
}

/** Where a batch sits in the log (the header of an encoded record batch). */
export interface BatchPosition {
  readonly epoch: number;
  readonly firstOffset: number;
  readonly count: number;
}

/** A ShardAppend as the machine sees it (batch headers, not bytes). */
export interface AppendMessage {
  readonly epoch: number;
  readonly startOffset: number;
  readonly prevEpoch: number;
  readonly batches: readonly BatchPosition[];
  readonly leaderHw: number;
  /** The leader's log start: a follower whose log ends below it while it sends from there resets its log. */
  readonly leaderLogStart: number;
  readonly truncate?: TruncateRequest;
}

/** What a follower should do with a ShardAppend. */
export type AppendCheck =
  | { readonly action: 'append' }
  | { readonly action: 'reject'; readonly ack: AppendAck }
  /** Truncate the log to `toOffset` (or the start of the batch holding it), call truncated(), check again. */
  | { readonly action: 'truncate'; readonly toOffset: number }
  /** Empty the log and start it at `toOffset` (the leader trimmed everything below), call reset(), check again. */
  | { readonly action: 'reset'; readonly toOffset: number };

export type ReplicationErrorCode = 'OK' | 'STALE_EPOCH' | 'LOG_MISMATCH' | 'SHARD_NOT_FOUND' | 'INTERNAL';

/** A follower's answer to one ShardAppend. */
export interface AppendAck {
  readonly epoch: number;
  readonly error: ReplicationErrorCode;
  readonly logEndOffset: number;
  readonly lastEpoch: number;
  /** The follower's high watermark after handling the message. */
  readonly highWatermark: number;
  /** The sendSeq of the send it answers, as the transport echoed it (0 or absent: unknown). */
  readonly sendSeq?: number;
}

/** "Send `to` the log from `fromOffset` (up to `maxEndOffset`, as budget allows)." */
export interface SendRequest {
  readonly to: string;
  readonly epoch: number;
  readonly fromOffset: number;
  readonly prevEpoch: number;
  readonly maxEndOffset: number;
  readonly leaderHw: number;
  readonly leaderLogStart: number;
  readonly truncate?: TruncateRequest;
  /** This send's number for the follower (1, 2, ...); its ack echoes it. */
  readonly sendSeq: number;
}

/**
 * Why a leader cannot take an append now. NOT_LEADER, SHARD_CLOSED and
 * HANDING_OVER prove the records were not appended (the api may route them
 * again); NOT_ENOUGH_REPLICAS refuses them.
 */
export type AppendRefusal = 'NOT_LEADER' | 'NOT_ENOUGH_REPLICAS' | 'SHARD_CLOSED' | 'HANDING_OVER';

/** A closing shard's leader has everything committed: record `logEnd` as the sealed end (guarded by `epoch` and leadership). */
export interface SealProposal {
  readonly epoch: number;
  readonly logEnd: number;
}

/** A reopened leader named leader of an epoch it may not lead: write epoch + 1 on the record at `baseRevision`. */
export interface EpochBumpProposal {
  readonly epoch: number;
  readonly baseRevision: number;
}

/** What the leader wants written to its shard record now (each guarded; the outcome returns through the watch). */
export interface ReplicaProposals {
  readonly isr?: IsrProposal;
  readonly seal?: SealProposal;
  readonly epochBump?: EpochBumpProposal;
}

/** The leader's view of one follower. */
export interface FollowerProgress {
  /** Acknowledged exclusive log end; -1 until the follower has answered. */
  matchEnd: number;
  /** Where the next send starts (optimistic: sends are pipelined). */
  nextOffset: number;
  inflight: number;
  lastSendMs: number;
  lastAckMs: number;
  /**
   * The highest high watermark the follower's OK acks reported since the
   * last reset or mismatch (-1: unknown). The leader sends its high
   * watermark until the follower reports it (as far as its log reaches): a
   * message that was refused or lost carried it in vain.
   */
  followerHw: number;
  /** Offset of the last rewind, while its resend is in flight (dedupes mismatch storms). */
  rewindTo: number | undefined;
  /** No sends before this time (follower not ready). */
  retryAtMs: number;
  /** Last time the follower had caught up to the leader's log end (ISR shrink). */
  lastCaughtUpMs: number;
  /** Leader log end at the previous OK ack (Kafka's caught-up test). */
  leaderEndAtLastAck: number;
  /** One-shot truncation answer for the next send (starts at its end offset). */
  truncate: TruncateRequest | undefined;
  /** The number of the last send to the follower (0: none yet). */
  lastSendSeq: number;
  /** Sends numbered up to this one were made before the last reset: their acks are stale. */
  resetSeq: number;
}


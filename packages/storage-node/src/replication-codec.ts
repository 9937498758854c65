/**
 * Conversions between the Replicate stream's proto messages and the
 * replication machine's plain types. Batches stay the bytes the leader
 * encoded; they are only parsed (header + CRC check) on receipt.
 */
import { RecordBatch, type AppendAck, type AppendMessage, type ReplicationErrorCode, type SendRequest } from '@shoal/core';
import type { ShardAck, ShardAck__Output, ShardAppend, ShardAppend__Output, ShardRef__Output } from '@shoal/wire';
import type { ShardRef } from './shard-reader';

/** A ShardAppend as the follower's machine sees it, with its batches parsed. */
export interface DecodedAppend {
  readonly msg: AppendMessage;
  readonly batches: RecordBatch[];
}

/** The ShardAppend for a send the leader's machine asked for, carrying `batches`. */
export function toShardAppend(shard: ShardRef, s: SendRequest, batches: readonly RecordBatch[]): ShardAppend {
  return {
    shard: { stream_id: shard.streamId, shard_id: shard.shardId },
    epoch: s.epoch, start_offset: s.fromOffset, prev_epoch: s.prevEpoch, leader_hw: s.leaderHw, leader_log_start: s.leaderLogStart, send_seq: s.sendSeq,
    batches: batches.map((b) => b.bytes),
    ...(s.truncate ? {
      truncate: true, truncate_epoch: s.truncate.epoch, truncate_end_offset: s.truncate.endOffset,
      truncate_if_log_end: s.truncate.ifLogEnd, truncate_if_last_epoch: s.truncate.ifLastEpoch,
    } : {}),
  };
}

/** One item of a replication message from a leader node, decoded (or why it is unusable). */
export interface InboundItem {
  readonly ref: ShardRef;
  readonly decoded: DecodedAppend | string;
  /** The ShardAppend's send_seq, for its ack. */
  readonly sendSeq: number;
}

/** The items of a received ReplicateMessage (appends without a shard are dropped). */
export function inboundItems(appends: readonly ShardAppend__Output[]): InboundItem[] {
  const items: InboundItem[] = [];
  for (const a of appends) {
    if (!a.shard) continue;
    items.push({ ref: { streamId: a.shard.stream_id, shardId: a.shard.shard_id }, decoded: decodeShardAppend(a), sendSeq: a.send_seq });
  }
  return items;
}

/** The machine's view of a ShardAppend, or why its batches are unusable. */
export function decodeShardAppend(a: ShardAppend__Output): DecodedAppend | string {
  const batches: RecordBatch[] = [];
  for (const bytes of a.batches) {
    const b = RecordBatch.parse(bytes, true);
    if (typeof b === 'string') return b;
    batches.push(b);
  }
  const msg: AppendMessage = {
    epoch: a.epoch,
    startOffset: a.start_offset,
    prevEpoch: a.prev_epoch,
    leaderHw: a.leader_hw,
    leaderLogStart: a.leader_log_start,
    batches: batches.map((b) => ({ epoch: b.epoch, firstOffset: b.firstOffset, count: b.count })),
    ...(a.truncate ? {
      truncate: { epoch: a.truncate_epoch, endOffset: a.truncate_end_offset, ifLogEnd: a.truncate_if_log_end, ifLastEpoch: a.truncate_if_last_epoch },
    } : {}),
  };
  return { msg, batches };
}

const KNOWN_ACK_ERRORS: ReadonlySet<string> = new Set<ReplicationErrorCode>(['OK', 'STALE_EPOCH', 'LOG_MISMATCH', 'SHARD_NOT_FOUND', 'INTERNAL']);

export function decodeShardAck(a: ShardAck__Output): AppendAck {
  const error = (KNOWN_ACK_ERRORS.has(a.error) ? a.error : 'INTERNAL') as ReplicationErrorCode;
  return { epoch: a.epoch, error, logEndOffset: a.log_end_offset, lastEpoch: a.last_epoch, highWatermark: a.high_watermark, sendSeq: a.send_seq };
}

/** The ShardAck for the follower machine's `ack`, echoing the send_seq of the ShardAppend it answers. */
export function encodeShardAck(shard: ShardRef__Output, ack: AppendAck, sendSeq: number): ShardAck {
  return {
    shard, epoch: ack.epoch, error: ack.error, log_end_offset: ack.logEndOffset, last_epoch: ack.lastEpoch, high_watermark: ack.highWatermark, send_seq: sendSeq,
  };
}

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
    epoch: s.epoch, start_offset: s.fromOffset, prev_epoch: s.prevEpoch, leader_hw: s.leaderHw, leader_log_start: s.leaderLogStart,
    batches: batches.map((b) => b.bytes),
    ...(s.truncate ? {
      truncate: true, truncate_epoch: s.truncate.epoch, truncate_end_offset: s.truncate.endOffset,
      truncate_if_log_end: s.truncate.ifLogEnd, truncate_if_last_epoch: s.truncate.ifLastEpoch,
    } : {}),
  };
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
  return { epoch: a.epoch, error, logEndOffset: a.log_end_offset, lastEpoch: a.last_epoch, highWatermark: a.high_watermark };
}

export function encodeShardAck(shard: ShardRef__Output, ack: AppendAck): ShardAck {
  return { shard, epoch: ack.epoch, error: ack.error, log_end_offset: ack.logEndOffset, last_epoch: ack.lastEpoch, high_watermark: ack.highWatermark };
}

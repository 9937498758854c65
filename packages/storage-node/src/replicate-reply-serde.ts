/**
 * Hand-written protobuf serializer (follower) and deserializer (leader) for
 * the Replicate stream's replies, ReplicateReply: one ShardAck per shard of
 * each replication message, so at 128 shards a node writes and reads some
 * ten thousand acks a second. The generic protobufjs path built a Writer
 * op list per ack and, on receipt, a message object converted field by
 * field (enum names, Long-aware integers): 5 to 9% of a storage node's
 * CPU at 128 shards (profile, 2026-12-06). The bytes on the wire are
 * exactly shoal.v1.ReplicateReply (proto/shoal/v1/storage.proto), and the
 * decoded object is what the generic codec gives (replicate-reply-serde's
 * tests hold both to it).
 *
 * Wire format (protobuf, see protobuf-io.ts):
 *   ReplicateReply: 1 from_node_id (LEN, UTF-8), 2 acks (LEN ShardAck, repeated)
 *   ShardAck:       1 shard (LEN ShardRef), 2 epoch, 3 error (varint, enum ErrorCode),
 *                   4 log_end_offset, 5 last_epoch, 6 high_watermark, 7 send_seq (varint)
 *   ShardRef:       1 stream_id, 2 shard_id (LEN, UTF-8)
 * Zero / empty scalars are omitted when writing (proto3 defaults); the
 * reader skips unknown fields, keeps an error number it does not know as
 * that number (as the generic codec does), and rejects truncated input or
 * integers beyond 2^53.
 */
import type { ErrorCode, ErrorCode__Output, ReplicateReply, ReplicateReply__Output, ShardAck, ShardAck__Output } from '@shoal/wire';
import {
  WT_LEN, WT_VARINT, decodeFromAndItems, decodeShardRef, encodeFromAndItems, shardRefFieldSize, shardRefSize, toNumber, varintSize, type In, type SizedItem,
} from './protobuf-io';

/** enum ErrorCode's names by number (proto/shoal/v1/storage.proto). */
const ERROR_NAMES = [
  'OK', 'NOT_LEADER', 'STALE_EPOCH', 'SHARD_NOT_FOUND', 'SHARD_CLOSED', 'NOT_ENOUGH_REPLICAS', 'THROTTLED', 'TIMEOUT', 'INTERNAL', 'OUT_OF_RANGE',
  'LOG_MISMATCH', 'TOO_MANY_SUBSCRIPTIONS',
] as const;
const ERROR_NUMBERS: ReadonlyMap<string, number> = new Map(ERROR_NAMES.map((name, i) => [name, i]));

function errorNumber(e: ErrorCode | undefined): number {
  if (e === undefined) return 0;
  if (typeof e === 'number') return e;
  const n = ERROR_NUMBERS.get(e);
  if (n === undefined) throw new Error(`replicate-reply-serde: unknown error code ${String(e)}`);
  return n;
}

/** Field numbers of ShardAck's varint fields 2..7, in write order. */
const INT_FIELDS = [2, 3, 4, 5, 6, 7] as const;

interface PlannedAck extends SizedItem {
  readonly ints: readonly number[];
}

function planAck(a: ShardAck): PlannedAck {
  const ints = [toNumber(a.epoch), errorNumber(a.error), toNumber(a.log_end_offset), toNumber(a.last_epoch), toNumber(a.high_watermark), toNumber(a.send_seq)];
  const refSize = shardRefSize(a.shard);
  let size = shardRefFieldSize(refSize);
  for (const n of ints) if (n !== 0) size += 1 + varintSize(n); // every tag is one byte (fields 2..7)
  return { ref: a.shard, refSize, ints, size };
}

/** ReplicateReply -> protobuf bytes, in one allocation. */
export function encodeReplicateReply(reply: ReplicateReply): Buffer {
  return encodeFromAndItems('replicate-reply-serde', reply.from_node_id ?? '', (reply.acks ?? []).map(planAck), (out, p) => {
    INT_FIELDS.forEach((f, i) => { if (p.ints[i] !== 0) { out.tag(f, WT_VARINT); out.varint(p.ints[i]!); } });
  });
}

function decodeShardAck(r: In): ShardAck__Output {
  const a: ShardAck__Output = { shard: null, epoch: 0, error: 'OK', log_end_offset: 0, last_epoch: 0, high_watermark: 0, send_seq: 0 };
  r.fields((f, wt) => {
    if (f === 1 && wt === WT_LEN) { a.shard = decodeShardRef(r.sub(), a.shard); return true; }
    if (wt !== WT_VARINT) return false;
    switch (f) {
      case 2: a.epoch = r.varint(); return true;
      case 3: { const n = r.varint(); a.error = (ERROR_NAMES[n] ?? n) as ErrorCode__Output; return true; }
      case 4: a.log_end_offset = r.varint(); return true;
      case 5: a.last_epoch = r.varint(); return true;
      case 6: a.high_watermark = r.varint(); return true;
      case 7: a.send_seq = r.varint(); return true;
      default: return false;
    }
  });
  return a;
}

/** protobuf bytes -> ReplicateReply. Throws on malformed input. */
export function decodeReplicateReply(buf: Buffer): ReplicateReply__Output {
  const { from, items } = decodeFromAndItems(buf, decodeShardAck);
  return { from_node_id: from, acks: items };
}

/**
 * Hand-written protobuf serializer (leader) and deserializer (follower) for
 * the Replicate stream's ReplicateMessage, plugged into grpc-js in place of
 * the generic protobufjs ones. The bytes on the wire are exactly the proto
 * message shoal.v1.ReplicateMessage (proto/shoal/v1/storage.proto), so any
 * other implementation of the contract interoperates; its replies have
 * their own (replicate-reply-serde.ts).
 *
 * Why: the messages are mostly record batch bytes (up to
 * REPLICATION_MESSAGE_BYTES_MAX per message). The generic path builds a
 * protobufjs Writer op list and copies every batch, and on receipt builds a
 * message object and converts it (toObject) field by field. Here the leader
 * sizes the message first and writes it into ONE buffer (each batch copied
 * once), and the follower gets every batch as a view into the received
 * message (no copy).
 *
 * Wire format (protobuf, see protobuf-io.ts):
 *   ReplicateMessage: 1 from_node_id (LEN, UTF-8), 2 appends (LEN ShardAppend, repeated)
 *   ShardAppend:      1 shard (LEN ShardRef), 2 epoch, 3 start_offset, 4 prev_epoch (varint),
 *                     5 batches (LEN, repeated), 6 leader_hw (varint), 7 truncate (varint bool),
 *                     8 truncate_epoch, 9 truncate_end_offset, 10 truncate_if_log_end,
 *                     11 truncate_if_last_epoch, 12 leader_log_start, 13 send_seq (varint)
 *   ShardRef:         1 stream_id, 2 shard_id (LEN, UTF-8)
 * Zero / empty scalars are omitted when writing (proto3 defaults). The
 * reader skips unknown fields of any wire type, accepts fields in any
 * order (last scalar wins, repeated fields append, a repeated message field
 * merges), and rejects truncated input or integers beyond 2^53.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ReplicateMessage, ReplicateMessage__Output, ReplicateReply, ShardAppend, ShardAppend__Output } from '@shoal/wire';
import { decodeReplicateReply, encodeReplicateReply } from './replicate-reply-serde';
import {
  WT_LEN, WT_VARINT, decodeFromAndItems, decodeShardRef, encodeFromAndItems, lenSize, shardRefFieldSize, shardRefSize, toNumber, varintSize, type In, type SizedItem,
} from './protobuf-io';

/** Sizes (and what is needed to write) one ShardAppend. */
interface PlannedAppend extends SizedItem {
  readonly ints: readonly number[];
  readonly batches: readonly Uint8Array[];
}

/** Field numbers of the varint fields of ShardAppend, in write order (7 = truncate, a bool). */
const INT_FIELDS = [2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13] as const;

function intsOf(a: ShardAppend): number[] {
  return [
    toNumber(a.epoch), toNumber(a.start_offset), toNumber(a.prev_epoch), toNumber(a.leader_hw), a.truncate === true ? 1 : 0,
    toNumber(a.truncate_epoch), toNumber(a.truncate_end_offset), toNumber(a.truncate_if_log_end), toNumber(a.truncate_if_last_epoch),
    toNumber(a.leader_log_start), toNumber(a.send_seq),
  ];
}

function planAppend(a: ShardAppend): PlannedAppend {
  const ints = intsOf(a);
  const batches = (a.batches ?? []).map((b) => {
    if (typeof b === 'string') throw new Error('replicate-serde: batches must be bytes');
    return b;
  });
  const refSize = shardRefSize(a.shard);
  let size = shardRefFieldSize(refSize);
  INT_FIELDS.forEach((f, i) => { if (ints[i] !== 0) size += varintSize(f << 3) + varintSize(ints[i]!); });
  for (const b of batches) size += lenSize(5, b.length);
  return { ref: a.shard, refSize, ints, batches, size };
}

/** ReplicateMessage -> protobuf bytes, in one allocation. */
export function encodeReplicateMessage(msg: ReplicateMessage): Buffer {
  return encodeFromAndItems('replicate-serde', msg.from_node_id ?? '', (msg.appends ?? []).map(planAppend), (out, p) => {
    INT_FIELDS.forEach((f, i) => {
      if (f === 6) for (const b of p.batches) out.bytes(5, b); // keep field order 1..13
      if (p.ints[i] !== 0) { out.tag(f, WT_VARINT); out.varint(p.ints[i]!); }
    });
  });
}

type ScalarKey = 'epoch' | 'start_offset' | 'prev_epoch' | 'leader_hw' | 'truncate_epoch' | 'truncate_end_offset' | 'truncate_if_log_end' | 'truncate_if_last_epoch' | 'leader_log_start'
  | 'send_seq';
const SCALAR_KEYS: Readonly<Record<number, ScalarKey>> = {
  2: 'epoch', 3: 'start_offset', 4: 'prev_epoch', 6: 'leader_hw', 8: 'truncate_epoch', 9: 'truncate_end_offset', 10: 'truncate_if_log_end', 11: 'truncate_if_last_epoch',
  12: 'leader_log_start', 13: 'send_seq',
};

function decodeShardAppend(r: In): ShardAppend__Output {
  const a: ShardAppend__Output = {
    shard: null, epoch: 0, start_offset: 0, prev_epoch: 0, batches: [], leader_hw: 0,
    truncate: false, truncate_epoch: 0, truncate_end_offset: 0, truncate_if_log_end: 0, truncate_if_last_epoch: 0, leader_log_start: 0, send_seq: 0,
  };
  r.fields((f, wt) => {
    if (f === 1 && wt === WT_LEN) { a.shard = decodeShardRef(r.sub(), a.shard); return true; }
    if (f === 5 && wt === WT_LEN) { a.batches.push(r.view()); return true; }
    if (wt !== WT_VARINT) return false;
    if (f === 7) { a.truncate = r.varint() !== 0; return true; }
    const key = SCALAR_KEYS[f];
    if (key === undefined) return false;
    a[key] = r.varint();
    return true;
  });
  return a;
}

/** protobuf bytes -> ReplicateMessage; batches are views into `buf`. Throws on malformed input. */
export function decodeReplicateMessage(buf: Buffer): ReplicateMessage__Output {
  const { from, items } = decodeFromAndItems(buf, decodeShardAppend);
  return { from_node_id: from, appends: items };
}

/**
 * The StorageNode service definition with these codecs on Replicate's
 * requests (client serialize, server deserialize) and replies (server
 * serialize, client deserialize); everything else as given.
 */
export function withReplicateSerde(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const replicate = service['Replicate'];
  if (!replicate) throw new Error('replicate-serde: the service has no Replicate method');
  return {
    ...service,
    Replicate: {
      ...replicate,
      requestSerialize: (value: ReplicateMessage) => encodeReplicateMessage(value),
      requestDeserialize: (bytes: Buffer) => decodeReplicateMessage(bytes),
      responseSerialize: (value: ReplicateReply) => encodeReplicateReply(value),
      responseDeserialize: (bytes: Buffer) => decodeReplicateReply(bytes),
    },
  };
}

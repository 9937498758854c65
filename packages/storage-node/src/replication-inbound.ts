/**
 * Inbound replication: the server side of a Replicate stream from a leader
 * node. Each ShardAppend goes to its replica's driver, which persists and
 * answers; acks of one tick go back together in one ReplicateReply. A shard
 * this node does not (yet) hold answers SHARD_NOT_FOUND, so the leader backs
 * off and retries; corrupt batches answer INTERNAL.
 */
import type * as grpc from '@grpc/grpc-js';
import type { AppendAck } from '@shoal/core';
import type { ReplicateMessage__Output, ReplicateReply, ShardAck } from '@shoal/wire';
import { decodeShardAppend, encodeShardAck } from './replication-codec';
import type { LinkHooks } from './replication-links';
import { STREAM_MESSAGE_ITEMS_MAX } from './storage-limits';

export function handleReplicateStream(
  call: grpc.ServerDuplexStream<ReplicateMessage__Output, ReplicateReply>,
  selfId: string,
  hooks: LinkHooks,
): void {
  let acks: ShardAck[] = [];
  let scheduled = false;
  let open = true;
  const flush = (): void => {
    scheduled = false;
    if (!open || acks.length === 0) { acks = []; return; }
    call.write({ from_node_id: selfId, acks });
    acks = [];
  };
  const push = (ack: ShardAck): void => {
    acks.push(ack);
    if (acks.length >= STREAM_MESSAGE_ITEMS_MAX) flush();
    else if (!scheduled) { scheduled = true; setImmediate(flush); }
  };
  call.on('data', (msg: ReplicateMessage__Output) => {
    for (const a of msg.appends) {
      const ref = a.shard;
      if (!ref) continue;
      const reply = (ack: AppendAck): void => push(encodeShardAck(ref, ack));
      const driver = hooks.lookup({ streamId: ref.stream_id, shardId: ref.shard_id });
      if (!driver) { reply({ epoch: 0, error: 'SHARD_NOT_FOUND', logEndOffset: 0, lastEpoch: 0 }); continue; }
      const decoded = decodeShardAppend(a);
      if (typeof decoded === 'string') {
        reply({ epoch: driver.machine.epoch(), error: 'INTERNAL', logEndOffset: driver.machine.logEndOffset(), lastEpoch: driver.machine.lastEpoch() });
        continue;
      }
      driver.receive(decoded.msg, decoded.batches, reply);
    }
  });
  const close = (): void => { open = false; };
  call.on('end', () => { close(); call.end(); });
  call.on('error', close);
  call.on('cancelled', close);
}

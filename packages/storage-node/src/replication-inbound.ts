/**
 * Inbound replication: the server side of a Replicate stream from a leader
 * node. Each ReplicateMessage (every shard's appends of one leader step)
 * goes to the node driver as a whole; it persists what it accepts in its
 * next step (one store write for all of them) and the acks of the whole
 * message come back in one ReplicateReply. A shard this node does not
 * (yet) hold answers SHARD_NOT_FOUND, so the leader backs off and retries;
 * corrupt batches answer INTERNAL.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ReplicateMessage__Output, ReplicateReply } from '@shoal/wire';
import type { NodeDriver } from './node-driver';
import { inboundItems } from './replication-codec';

export function handleReplicateStream(call: grpc.ServerDuplexStream<ReplicateMessage__Output, ReplicateReply>, selfId: string, driver: NodeDriver): void {
  let open = true;
  call.on('data', (msg: ReplicateMessage__Output) => {
    driver.receiveMessage(inboundItems(msg.appends), (acks) => { if (open) call.write({ from_node_id: selfId, acks }); });
  });
  const close = (): void => { open = false; };
  call.on('end', () => { close(); call.end(); });
  call.on('error', close);
  call.on('cancelled', close);
}

/** Shared by the node integration tests: a StorageNode gRPC client on 127.0.0.1, and a unary call as a promise. */
import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, loadProto, type StorageNodeClient } from '@shoal/wire';

export function storageNodeClient(port: number): StorageNodeClient {
  const Ctor = loadProto().shoal.v1.StorageNode;
  return new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS) as unknown as StorageNodeClient;
}

/** Calls a unary method (bound to its client) and resolves with its response. */
export function call<Req, Res>(fn: (req: Req, cb: grpc.requestCallback<Res>) => unknown, req: Req): Promise<Res> {
  return new Promise((resolve, reject) => { fn(req, (err, res) => (err || !res ? reject(err ?? new Error('no response')) : resolve(res))); });
}

/** @shoal/storage-node: shard logs on LevelDB, the node driver and replicas, the node's gRPC server. */
export { startStorageNode } from './storage-node';
export type { StorageNodeHandle, StorageNodeOptions } from './storage-node';
export { NodeMetrics } from './node-metrics';
export { ReplicaManager } from './replica-manager';
export { NodeDriver } from './node-driver';
export type { PeerSender, RecordProposer } from './node-driver';
export { FOLLOWING_BELOW_HW, Replica } from './replica';
export { CacheBudget } from './batch-cache';
export { EtcdRecordProposer } from './record-proposer';
export { NodeStore } from './store/node-store';
export { MemoryKv } from './store/memory-kv';
export { checkStore } from './store/store-check';
export type { ShardRef, ShardReader } from './shard-reader';
export { decodeReplicateMessage, encodeReplicateMessage } from './replicate-serde';
export { decodeShardAck, inboundItems, type InboundItem } from './replication-codec';
export * as keyLayout from './store/key-layout';
export type { Kv } from './store/kv';

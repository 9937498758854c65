/** @shoal/storage-node: shard logs on LevelDB, replica drivers, the node's gRPC server. */
export { startStorageNode } from './storage-node';
export type { StorageNodeHandle, StorageNodeOptions } from './storage-node';
export { NodeMetrics } from './node-metrics';
export { ReplicaManager } from './replica-manager';
export { ReplicaDriver } from './replica-driver';
export { ShardLog } from './shard-log';
export type { ShardRef } from './shard-log';

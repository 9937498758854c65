/** @shoal/metadata: the etcd schema and typed access to it. */
export { DEFAULT_ACCOUNT_ID, DEFAULT_PREFIX, Keys, streamKeyOf } from './schema';
export type {
  AzName, DrainRecord, MoveLeaderRequest, NodeRecord, ReshardCause, ReshardRecord, ReshardStepRecord, ShardRecord, StreamMode, StreamRecord, StreamRef, StreamScope, StreamStatus,
} from './schema';
export { ClusterView, MetadataStore } from './metadata-store';
export type { MetadataChange, MetadataStoreOptions, Versioned } from './metadata-store';
export { updateShardGuarded } from './guarded-update';
export type { ShardGuard } from './guarded-update';

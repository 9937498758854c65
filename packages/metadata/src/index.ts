/** @shoal/metadata: the etcd schema and typed access to it. */
export { DEFAULT_ACCOUNT_ID, DEFAULT_PREFIX, Keys, streamKeyOf } from './schema';
export type {
  AccountSettingsRecord, AzName, BillingCommitmentRecord, DataKeyRecord, DrainRecord, MoveLeaderRequest, NodeApplied, NodeRecord, ResourcePolicyRecord, ReshardCause, ReshardRecord,
  ReshardStepRecord, ShardRecord, StreamMode, StreamRecord, StreamRef, StreamScope, StreamStatus,
} from './schema';
export { ClusterView, MetadataStore } from './metadata-store';
export type { ConsumerRecord, ConsumerStatus, SubscriptionClaim } from './schema';
export { ConsumerIndex } from './consumer-index';
export { ConsumerStore } from './consumer-store';
export type { ConsumerWrites, RegisterCheck, RegisterOutcome } from './consumer-store';
export type { MetadataChange, MetadataStoreOptions, Versioned } from './metadata-store';
export { billingCommitmentActive, billingCommitmentStatus } from './account-settings';
export { updateShardGuarded } from './guarded-update';
export { awaitsSeal, isClosedShard, isClosing, isExpiredShard, isHandingOver, isOpenShard, isSealed, isSettled } from './shard-state';
export { retentionHorizonMs } from './retention';
export type { ShardGuard } from './guarded-update';

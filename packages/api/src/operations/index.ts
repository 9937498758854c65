/** The operations this api serves, by X-Amz-Target operation name. */
import type { AnyOperation } from '../operation';
import { createStream } from './create-stream';
import { deleteStream } from './delete-stream';
import { describeStream } from './describe-stream';
import { describeStreamSummary } from './describe-stream-summary';
import { getRecords } from './get-records';
import { getShardIterator } from './get-shard-iterator';
import { listShards } from './list-shards';
import { listStreams } from './list-streams';
import { putRecord } from './put-record';
import { putRecords } from './put-records';
import { mergeShards } from './merge-shards';
import { splitShard } from './split-shard';
import { updateMaxRecordSize } from './update-max-record-size';
import { updateShardCount } from './update-shard-count';
import { updateStreamMode } from './update-stream-mode';
import { updateStreamWarmThroughput } from './update-stream-warm-throughput';
import { deleteResourcePolicy } from './delete-resource-policy';
import { getResourcePolicy } from './get-resource-policy';
import { putResourcePolicy } from './put-resource-policy';
import { registerStreamConsumer } from './register-stream-consumer';
import { describeStreamConsumer } from './describe-stream-consumer';
import { listStreamConsumers } from './list-stream-consumers';
import { deregisterStreamConsumer } from './deregister-stream-consumer';
import { subscribeToShard } from './subscribe-to-shard';
import { addTagsToStream } from './add-tags-to-stream';
import { removeTagsFromStream } from './remove-tags-from-stream';
import { listTagsForStream } from './list-tags-for-stream';
import { tagResource } from './tag-resource';
import { untagResource } from './untag-resource';
import { listTagsForResource } from './list-tags-for-resource';
import { increaseStreamRetentionPeriod } from './increase-stream-retention-period';
import { decreaseStreamRetentionPeriod } from './decrease-stream-retention-period';
import { startStreamEncryption } from './start-stream-encryption';
import { stopStreamEncryption } from './stop-stream-encryption';
import { disableEnhancedMonitoring, enableEnhancedMonitoring } from './enhanced-monitoring';
import { describeLimits } from './describe-limits';
import { describeAccountSettings } from './describe-account-settings';
import { updateAccountSettings } from './update-account-settings';
import { updateStreamRecordDistributionStrategy } from './update-stream-record-distribution-strategy';

export const OPERATIONS: ReadonlyMap<string, AnyOperation> = new Map([
  createStream, deleteStream, describeStream, describeStreamSummary, listStreams, listShards,
  putRecord, putRecords, getShardIterator, getRecords,
  splitShard, mergeShards, updateShardCount, updateStreamMode, updateStreamWarmThroughput, updateMaxRecordSize,
  putResourcePolicy, getResourcePolicy, deleteResourcePolicy,
  registerStreamConsumer, describeStreamConsumer, listStreamConsumers, deregisterStreamConsumer, subscribeToShard,
  addTagsToStream, removeTagsFromStream, listTagsForStream, tagResource, untagResource, listTagsForResource,
  increaseStreamRetentionPeriod, decreaseStreamRetentionPeriod, startStreamEncryption, stopStreamEncryption,
  enableEnhancedMonitoring, disableEnhancedMonitoring, describeLimits, describeAccountSettings, updateAccountSettings,
  updateStreamRecordDistributionStrategy,
].map((op) => [op.name, op]));

/** DescribeLimits: the caller's shard quota and open shards, and its ON_DEMAND stream quota and count (account-limits.ts). */
import { DESCRIBE_LIMITS } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { accountOpenShards, onDemandStreamCount, onDemandStreamLimitOf, shardLimitOf } from '../streams/account-limits';

async function execute(ctx: OperationContext): Promise<OperationOutput> {
  return {
    ShardLimit: shardLimitOf(ctx),
    OpenShardCount: accountOpenShards(ctx),
    OnDemandStreamCount: onDemandStreamCount(ctx),
    OnDemandStreamCountLimit: onDemandStreamLimitOf(ctx),
  };
}

export const describeLimits = defineOperation<Record<string, never>>({ name: 'DescribeLimits', shape: DESCRIBE_LIMITS, controlPlane: true, execute });

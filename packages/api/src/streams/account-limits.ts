/**
 * The account limits DescribeLimits reports and the operations that add
 * shards or ON_DEMAND streams check, in one place: the shard quota (open
 * shards of every stream of the account in the region, the planned shards
 * of streams still being created included) and the ON_DEMAND stream quota.
 * Each limit is the account's settings record override (etcd, operators),
 * else the api's flag, else AWS's default.
 */
import { limits } from '@shoal/core';
import { type AccountSettingsRecord, isOpenShard } from '@shoal/metadata';
import { onDemandStreamLimitExceeded, shardLimitExceeded } from '../kinesis-errors';
import type { OperationContext } from '../operation';

export function accountSettingsOf(ctx: OperationContext): AccountSettingsRecord | undefined {
  return ctx.view.accountSettings.get(ctx.caller.accountId)?.value;
}

/** The caller's shard quota in its region. */
export function shardLimitOf(ctx: OperationContext): number {
  const regionDefault = limits.SHARD_LIMIT_LARGE_REGIONS.includes(ctx.caller.region)
    ? limits.SHARDS_PER_ACCOUNT_LARGE_REGION_MAX : limits.SHARDS_PER_ACCOUNT_OTHER_REGION_MAX;
  return accountSettingsOf(ctx)?.shardLimit ?? ctx.config.shardLimit ?? regionDefault;
}

export function onDemandStreamLimitOf(ctx: OperationContext): number {
  return accountSettingsOf(ctx)?.onDemandStreamCountLimit ?? ctx.config.onDemandStreamLimit ?? limits.ON_DEMAND_STREAMS_PER_ACCOUNT_MAX;
}

/** Open shards of the caller's streams, counting a stream being created by the shards it will have. */
export function accountOpenShards(ctx: OperationContext): number {
  let n = 0;
  for (const stream of ctx.view.streamsIn(ctx.caller)) {
    const shards = ctx.view.shardsOf(stream.value.streamId);
    const open = shards.filter((s) => isOpenShard(s.value)).length;
    n += stream.value.status === 'CREATING' ? Math.max(open, stream.value.initialShardCount) : open;
  }
  return n;
}

/** ON_DEMAND streams of the caller. */
export function onDemandStreamCount(ctx: OperationContext): number {
  return ctx.view.streamsIn(ctx.caller).filter((s) => s.value.mode === 'ON_DEMAND').length;
}

/** LimitExceededException if `added` more open shards would pass the caller's shard quota. */
export function checkShardQuota(ctx: OperationContext, added: number): void {
  if (added <= 0) return;
  const current = accountOpenShards(ctx);
  const limit = shardLimitOf(ctx);
  if (current + added > limit) throw shardLimitExceeded(ctx.caller.accountId, ctx.caller.region, current, limit, added);
}

/** LimitExceededException if one more ON_DEMAND stream would pass the caller's quota. */
export function checkOnDemandStreamQuota(ctx: OperationContext): void {
  const limit = onDemandStreamLimitOf(ctx);
  if (onDemandStreamCount(ctx) + 1 > limit) throw onDemandStreamLimitExceeded(ctx.caller.accountId, ctx.caller.region, limit);
}

/**
 * UpdateShardCount (UNIFORM_SCALING): sets the stream's target shard count
 * (status UPDATING); the controller reaches it with rounds of splits, then
 * merges, toward the even ranges of the target (core planUniformRound).
 * Kinesis' limits: at most double and at least half the open shards, at
 * most UPDATE_SHARD_COUNT_TARGET_MAX, the account quota, and
 * UPDATE_SHARD_COUNT_PER_DAY_MAX calls per stream in a rolling 24 hours
 * (the api's --update-shard-count-per-day overrides it).
 */
import { KinesisError, UPDATE_SHARD_COUNT, limits, type UpdateShardCountInput } from '@shoal/core';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { resolveActiveStream } from '../streams/resolve-stream';
import { checkShardQuota } from '../streams/account-limits';
import { commitStreamUpdate, requireProvisioned, streamOpenShards } from './stream-update';

const DAY_MS = 24 * 60 * 60 * 1000;

function limitExceeded(message: string): KinesisError {
  return new KinesisError('LimitExceededException', message);
}

async function execute(ctx: OperationContext, input: UpdateShardCountInput): Promise<OperationOutput> {
  const stream = resolveActiveStream(ctx, input);
  const s = stream.value;
  requireProvisioned(ctx, s, 'UpdateShardCount');
  const open = streamOpenShards(ctx, s).length;
  const target = input.TargetShardCount;
  const counts = `Current open shard count: ${open}, Target shard count: ${target}`;
  if (target > limits.UPDATE_SHARD_COUNT_TARGET_MAX) {
    throw limitExceeded(`Target shard count or number of open shards cannot be greater than ${limits.UPDATE_SHARD_COUNT_TARGET_MAX}. ${counts}`);
  }
  if (target > open * limits.UPDATE_SHARD_COUNT_FACTOR_MAX) throw limitExceeded(`UpdateShardCount cannot scale up over double your current open shard count. ${counts}`);
  if (target * limits.UPDATE_SHARD_COUNT_FACTOR_MAX < open) throw limitExceeded(`UpdateShardCount cannot scale down below half your current open shard count. ${counts}`);
  const now = ctx.now();
  const recent = (s.shardCountUpdatesMs ?? []).filter((t) => now - t < DAY_MS);
  const perDay = ctx.config.updateShardCountPerDayMax ?? limits.UPDATE_SHARD_COUNT_PER_DAY_MAX;
  if (recent.length >= perDay) {
    throw limitExceeded(`Stream ${s.streamName} under account ${ctx.caller.accountId} has already been scaled ${recent.length} times in the last 24 hours; ` +
      `the limit is ${perDay}.`);
  }
  checkShardQuota(ctx, target - open);
  await commitStreamUpdate(ctx, stream, { ...s, status: 'UPDATING', targetShardCount: target, shardCountUpdatesMs: [...recent, now] });
  return { StreamName: s.streamName, CurrentShardCount: open, TargetShardCount: target, StreamARN: s.streamArn };
}

export const updateShardCount = defineOperation<UpdateShardCountInput>({ name: 'UpdateShardCount', shape: UPDATE_SHARD_COUNT, controlPlane: true, execute });

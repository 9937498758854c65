/**
 * Enhanced (shard-level) monitoring settings: the metric names a stream has
 * on, kept in the model's order, with ALL standing for every one. The
 * per-shard metric series read this state (the metrics issue); the answer
 * of Enable/DisableEnhancedMonitoring gives the set before (Current) and
 * after (Desired) the call.
 */
import { SHARD_LEVEL_METRICS, type ShardLevelMetricName } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import type { OperationOutput } from '../operation';

const EVERY_METRIC = SHARD_LEVEL_METRICS.filter((m) => m !== 'ALL');

/** The metric names a request names (ALL expanded), in the model's order. */
export function metricNames(requested: readonly ShardLevelMetricName[]): string[] {
  const all = requested.includes('ALL');
  return EVERY_METRIC.filter((m) => all || requested.includes(m));
}

/** The union (enable) or difference (disable) of the stream's metrics and `names`, in the model's order. */
export function changedMetrics(stream: StreamRecord, names: readonly string[], enable: boolean): string[] {
  const current = new Set(stream.shardLevelMetrics ?? []);
  return EVERY_METRIC.filter((m) => (enable ? current.has(m) || names.includes(m) : current.has(m) && !names.includes(m)));
}

/** The answer of Enable/DisableEnhancedMonitoring. */
export function monitoringOutput(before: StreamRecord, after: StreamRecord): OperationOutput {
  return {
    StreamName: after.streamName,
    CurrentShardLevelMetrics: [...(before.shardLevelMetrics ?? [])],
    DesiredShardLevelMetrics: [...(after.shardLevelMetrics ?? [])],
    StreamARN: after.streamArn,
  };
}

/**
 * EnableEnhancedMonitoring and DisableEnhancedMonitoring: turn shard-level
 * metrics on or off (names or ALL); both answer the sets before and after.
 */
import { DISABLE_ENHANCED_MONITORING, ENABLE_ENHANCED_MONITORING, type EnhancedMonitoringInput } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import { defineOperation, type OperationContext, type OperationOutput } from '../operation';
import { changedMetrics, metricNames, monitoringOutput } from '../streams/enhanced-monitoring';
import { resolveActiveStream } from '../streams/resolve-stream';
import { updateStreamSettings } from './stream-update';

function executeFor(enable: boolean) {
  return async (ctx: OperationContext, input: EnhancedMonitoringInput): Promise<OperationOutput> => {
    const names = metricNames(input.ShardLevelMetrics);
    let before: StreamRecord | undefined;
    const after = await updateStreamSettings(ctx, () => resolveActiveStream(ctx, input), (s) => {
      before = s;
      return { ...s, shardLevelMetrics: changedMetrics(s, names, enable) };
    });
    return monitoringOutput(before ?? after, after);
  };
}

export const enableEnhancedMonitoring = defineOperation<EnhancedMonitoringInput>({
  name: 'EnableEnhancedMonitoring', shape: ENABLE_ENHANCED_MONITORING, controlPlane: true, execute: executeFor(true),
});

export const disableEnhancedMonitoring = defineOperation<EnhancedMonitoringInput>({
  name: 'DisableEnhancedMonitoring', shape: DISABLE_ENHANCED_MONITORING, controlPlane: true, execute: executeFor(false),
});

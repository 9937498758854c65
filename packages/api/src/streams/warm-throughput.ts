/**
 * The WarmThroughput structure of DescribeStreamSummary and
 * UpdateStreamWarmThroughput: the target the user set and what the open
 * shards carry now (1 MiB/s of writes each).
 */
import { limits } from '@shoal/core';
import type { StreamRecord } from '@shoal/metadata';
import type { OperationOutput } from '../operation';

export function warmThroughputOf(stream: StreamRecord, openShards: number): OperationOutput {
  return {
    TargetMiBps: stream.warmThroughputMiBps ?? 0,
    CurrentMiBps: Math.floor((openShards * limits.SHARD_WRITE_BYTES_PER_SEC) / (1024 * 1024)),
  };
}

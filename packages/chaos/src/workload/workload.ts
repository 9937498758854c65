/**
 * The seeded workload: sequential per-key writers, PutRecords batch
 * writers, live readers on every api endpoint, and a ListShards sampler,
 * all running until stop(); the final read is separate (the harness runs it
 * after healing).
 */
import { SeededRandom } from './seeded-random';
import { runBatchWriter, runSequentialWriter } from './put-writers';
import { runLiveReader } from './readers';
import { runShardSampler } from './shard-listing';
import type { WorkloadContext } from './workload-context';

export interface WorkloadSettings {
  readonly sequentialWriters: number;
  /** Partition keys each sequential writer owns. */
  readonly keysPerWriter: number;
  readonly batchWriters: number;
  /** Pause between two values of a sequential writer / two batches. */
  readonly writerPauseMs: number;
  readonly batchPauseMs: number;
}

export const QUICK_WORKLOAD: WorkloadSettings = { sequentialWriters: 4, keysPerWriter: 4, batchWriters: 1, writerPauseMs: 10, batchPauseMs: 100 };

export interface RunningWorkload {
  /** Signals every task to stop and resolves once all have ended. */
  stop(): Promise<void>;
}

export function startWorkload(base: Omit<WorkloadContext, 'stopped'>, settings: WorkloadSettings, seed: number): RunningWorkload {
  let stopping = false;
  const ctx: WorkloadContext = { ...base, stopped: () => stopping };
  const random = new SeededRandom(seed);
  const tasks: Array<Promise<void>> = [];
  for (let w = 1; w <= settings.sequentialWriters; w++) {
    const keys = Array.from({ length: settings.keysPerWriter }, (_, k) => `w${w}-key-${k}`);
    tasks.push(runSequentialWriter(ctx, `w${w}`, keys, random.fork(), settings.writerPauseMs));
  }
  for (let b = 1; b <= settings.batchWriters; b++) tasks.push(runBatchWriter(ctx, `b${b}`, random.fork(), settings.batchPauseMs));
  ctx.clients.forEach((_, api) => tasks.push(runLiveReader(ctx, `r${api + 1}`, api)));
  tasks.push(runShardSampler(ctx, 0));
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(tasks);
    },
  };
}

/** What every workload task shares: the stream, the clients, the history, the clock and the stop signal. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { HistoryWriter } from '../history/history-writer';

export interface WorkloadContext {
  readonly streamName: string;
  /** One client per api endpoint; index = the `api` field of history lines. */
  readonly clients: readonly KinesisClient[];
  readonly history: HistoryWriter;
  /** The harness clock (epoch ms); the whole history uses it. */
  readonly now: () => number;
  /** True once the workload should wind down (writers finish their current value). */
  readonly stopped: () => boolean;
  /** Each GetRecords goes to another api process than the one that issued its iterator (iterators must work across api processes). */
  readonly crossApiReads?: boolean;
}

/**
 * A scenario's extra load beside the workload (e.g. the hostile client):
 * started with the fault phase, stopped before healing. Its lines go to the
 * same history.
 */
import type { HistoryWriter } from '../history/history-writer';
import type { SeededRandom } from '../workload/seeded-random';

export interface SideLoadContext {
  readonly streamName: string;
  /** Kinesis endpoints of the api processes (index = the history's `api`). */
  readonly endpoints: readonly string[];
  readonly history: HistoryWriter;
  readonly now: () => number;
  readonly random: SeededRandom;
  readonly log: (msg: string) => void;
}

export interface SideLoad {
  /** Ends the load; resolves once every task has ended and logged. */
  stop(): Promise<void>;
}

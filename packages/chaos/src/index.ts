/** @shoal/chaos: the chaos suite's history format, checker, workload and harness. */
export { HISTORY_FILES } from './history/history-format';
export type {
  FaultAction, FaultEvent, FinalShardRead, History, Outcome, PutAttempt, ReadCall, ReadLine, ReadRecord, ReplicaDump, RunInfo, ShardSnapshot, SnapshotShard,
} from './history/history-format';
export { HistoryWriter } from './history/history-writer';
export { readHistory, parseJsonl } from './history/history-reader';
export { checkHistory, formatVerdict } from './check/checker';
export type { Verdict } from './check/checker';
export { VIOLATION_TYPES } from './check/violations';
export type { Violation, ViolationType } from './check/violations';
export { SeededRandom } from './workload/seeded-random';
export { startWorkload, QUICK_WORKLOAD } from './workload/workload';
export type { WorkloadSettings, RunningWorkload } from './workload/workload';
export { SCENARIOS, scenariosFor } from './harness/scenarios';
export type { Scenario } from './harness/scenarios';

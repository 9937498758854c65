/** Reads a run folder (format in history-format.ts) back into a History for the checker. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORY_FILES, type FaultEvent, type History, type PutAttempt, type ReadLine, type ReplicaDump, type RunInfo, type ShardSnapshot } from './history-format';
import { DISK_FILES, type DiskEvent } from './disk-format';
import { FANOUT_FILES, type SubscriptionLine } from './fanout-format';
import { ROBUSTNESS_FILES, type HostileProbe, type ProcessExit } from './robustness-format';
import { RESHARD_FILES, type EpochSample, type ReshardRequest } from './reshard-format';

/**
 * The lines of a JSONL file; a last line cut short by a crash is skipped,
 * any other unparseable line is an error (the history would be untrustworthy).
 */
export function parseJsonl<T>(text: string, source: string): T[] {
  const lines = text.split('\n');
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch (err) {
      const isLast = i >= lines.length - 2;
      if (!isLast) throw new Error(`${source}:${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

function readJsonl<T>(folder: string, name: string): T[] | undefined {
  const path = join(folder, name);
  if (!existsSync(path)) return undefined;
  return parseJsonl<T>(readFileSync(path, 'utf8'), path);
}

export function readHistory(folder: string): History {
  const runPath = join(folder, HISTORY_FILES.run);
  if (!existsSync(runPath)) throw new Error(`${folder}: no ${HISTORY_FILES.run} (not a chaos run folder)`);
  const run = JSON.parse(readFileSync(runPath, 'utf8')) as RunInfo;
  const replicas = readJsonl<ReplicaDump>(folder, HISTORY_FILES.replicas);
  const history: History = {
    run,
    ops: readJsonl<PutAttempt>(folder, HISTORY_FILES.ops) ?? [],
    reads: readJsonl<ReadLine>(folder, HISTORY_FILES.reads) ?? [],
    shards: readJsonl<ShardSnapshot>(folder, HISTORY_FILES.shards) ?? [],
    faults: readJsonl<FaultEvent>(folder, HISTORY_FILES.faults) ?? [],
  };
  const exits = readJsonl<ProcessExit>(folder, ROBUSTNESS_FILES.exits);
  const hostile = readJsonl<HostileProbe>(folder, ROBUSTNESS_FILES.hostile);
  const reshards = readJsonl<ReshardRequest>(folder, RESHARD_FILES.reshards);
  const epochs = readJsonl<EpochSample>(folder, RESHARD_FILES.epochs);
  const disk = readJsonl<DiskEvent>(folder, DISK_FILES.disk);
  const subscriptions = readJsonl<SubscriptionLine>(folder, FANOUT_FILES.subscriptions);
  return {
    ...history, ...(replicas ? { replicas } : {}), ...(exits ? { exits } : {}), ...(hostile ? { hostile } : {}),
    ...(reshards ? { reshards } : {}), ...(epochs ? { epochs } : {}), ...(disk ? { disk } : {}),
    ...(subscriptions ? { subscriptions } : {}),
  };
}

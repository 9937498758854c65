/**
 * Appends the lines of a run's history to its folder (the format is in
 * history-format.ts). Each line is written with one synchronous write to an
 * append-only file, so there is no in-memory queue to bound and a crash of
 * the harness leaves at most its last line cut short (the reader skips it).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORY_FILES, type FaultEvent, type PutAttempt, type ReadLine, type ReplicaDump, type RunInfo, type ShardSnapshot } from './history-format';
import { ROBUSTNESS_FILES, type HostileProbe, type ProcessExit } from './robustness-format';
import { RESHARD_FILES, type EpochSample, type ReshardRequest } from './reshard-format';
import { DISK_FILES, type DiskEvent } from './disk-format';
import { FANOUT_FILES, type SubscriptionLine } from './fanout-format';

type JsonlFile = 'ops' | 'reads' | 'shards' | 'faults' | 'replicas' | 'exits' | 'hostile' | 'reshards' | 'epochs' | 'disk' | 'subscriptions';
const FILE_NAMES: Record<JsonlFile, string> = { ...HISTORY_FILES, ...ROBUSTNESS_FILES, ...RESHARD_FILES, ...DISK_FILES, ...FANOUT_FILES };

/** Owns the open files of one run folder until close(). */
export class HistoryWriter {
  private readonly fds = new Map<JsonlFile, number>();

  constructor(readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }

  writeRun(run: RunInfo): void {
    writeFileSync(join(this.folder, HISTORY_FILES.run), JSON.stringify(run, null, 2) + '\n');
  }

  put(line: PutAttempt): void { this.append('ops', line); }
  read(line: ReadLine): void { this.append('reads', line); }
  snapshot(line: ShardSnapshot): void { this.append('shards', line); }
  fault(line: FaultEvent): void { this.append('faults', line); }
  replica(line: ReplicaDump): void { this.append('replicas', line); }
  exit(line: ProcessExit): void { this.append('exits', line); }
  hostile(line: HostileProbe): void { this.append('hostile', line); }
  reshard(line: ReshardRequest): void { this.append('reshards', line); }
  epoch(line: EpochSample): void { this.append('epochs', line); }
  disk(line: DiskEvent): void { this.append('disk', line); }
  subscription(line: SubscriptionLine): void { this.append('subscriptions', line); }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private append(file: JsonlFile, line: object): void {
    let fd = this.fds.get(file);
    if (fd === undefined) {
      fd = openSync(join(this.folder, FILE_NAMES[file]), 'a');
      this.fds.set(file, fd);
    }
    writeSync(fd, JSON.stringify(line) + '\n');
  }
}

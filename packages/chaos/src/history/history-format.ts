/**
 * The history of one chaos run: the JSONL files of a run folder and the
 * shapes of their lines. The workload and the harness write them (through
 * HistoryWriter); the checker reads them back offline, so a saved folder can
 * be re-checked at any time.
 *
 * Format: UTF-8, one JSON object per line, each file in the order its lines
 * were written. Times are epoch milliseconds of the harness process's clock
 * (one clock for the whole history). Sequence numbers and hash keys are
 * decimal strings. `md5` is the hex MD5 of a record's data bytes.
 *
 *   run.json        RunInfo (one JSON object, not JSONL): seed, scenario,
 *                   stream, start/end, the bounds the scenario must meet.
 *   ops.jsonl       PutAttempt: one line per put attempt (PutRecord, or one
 *                   entry of a PutRecords batch), written when it completes.
 *                   outcome: ok (acknowledged: shardId + seq set), fail
 *                   (definitely not applied: throttled, validation, refused
 *                   connection) or info (unknown: timeout, reset,
 *                   InternalFailure, ServiceUnavailable).
 *   reads.jsonl     ReadCall: one line per GetRecords call (outcome ok or
 *                   fail), and FinalShardRead: one line per shard at the end
 *                   of the final read (complete or not).
 *   shards.jsonl    ShardSnapshot: one line per ListShards sample.
 *   faults.jsonl    FaultEvent: one line per fault action of the injector.
 *   replicas.jsonl  ReplicaDump (optional): one line per replica of a shard
 *                   after healing (log end, high watermark, and record
 *                   digests when the product can dump them).
 *   verdict.json    Verdict, written by the checker.
 */

import type { HostileProbe, ProcessExit } from './robustness-format';
import type { EpochSample, ReshardRequest } from './reshard-format';
import type { DiskEvent } from './disk-format';
import type { SubscriptionLine } from './fanout-format';

export const HISTORY_FILES = {
  run: 'run.json',
  ops: 'ops.jsonl',
  reads: 'reads.jsonl',
  shards: 'shards.jsonl',
  faults: 'faults.jsonl',
  replicas: 'replicas.jsonl',
  verdict: 'verdict.json',
} as const;

export type Outcome = 'ok' | 'fail' | 'info';

export interface RunInfo {
  readonly seed: number;
  readonly scenario: string;
  readonly streamName: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Pass bound on the p99 of the write gap per fault, if the scenario has one. */
  readonly writeGapP99MsMax?: number;
  /** Free-form settings of the run (durations, writer counts, endpoints). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface PutAttempt {
  readonly type: 'put';
  /** Writer that owns the value (e.g. "w3" sequential, "b1" batches). */
  readonly writer: string;
  /** The unique value (writer id + counter) carried inside the data. */
  readonly value: string;
  /** 1 for the first attempt of a value, then 2, 3, ... for retries. */
  readonly attempt: number;
  readonly partitionKey: string;
  /** MD5 (hex) of the data bytes sent. */
  readonly md5: string;
  /** Index of the api endpoint used. */
  readonly api: number;
  /** Batch id when the attempt was one entry of a PutRecords call. */
  readonly batch?: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: Outcome;
  readonly shardId?: string;
  readonly seq?: string;
  /** Error name / code for fail and info. */
  readonly error?: string;
}

export interface ReadRecord {
  readonly seq: string;
  readonly partitionKey: string;
  /** The value parsed from the data, or null when the data is not ours. */
  readonly value: string | null;
  readonly md5: string;
  /** ApproximateArrivalTimestamp (epoch ms), when the reader logged it. */
  readonly arrivalMs?: number;
}

export interface ReadCall {
  readonly type: 'read';
  readonly reader: string;
  /**
   * One reading of one shard from one starting point: successive calls of a
   * session continue each other (a new iterator after an error continues
   * from the last record read, in the same session).
   */
  readonly session: string;
  readonly api: number;
  readonly shardId: string;
  /** The last sequence number the session had read before this call; null = from the shard's start (TRIM_HORIZON). */
  readonly after: string | null;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: 'ok' | 'fail';
  readonly error?: string;
  readonly records: readonly ReadRecord[];
  /** False when the shard is closed and fully read (no NextShardIterator). */
  readonly hasNext: boolean;
  readonly childShards?: readonly string[];
  /** True for the reads of the final read after healing. */
  readonly final?: boolean;
}

export interface FinalShardRead {
  readonly type: 'final-shard';
  readonly shardId: string;
  readonly session: string;
  /** True when the read reached the end of the shard. */
  readonly complete: boolean;
  readonly records: number;
  readonly atMs: number;
}

export type ReadLine = ReadCall | FinalShardRead;

export interface SnapshotShard {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly hashKeyStart: string;
  readonly hashKeyEnd: string;
  readonly startingSequenceNumber: string;
  /** Set when the shard is closed. */
  readonly endingSequenceNumber?: string;
}

export interface ShardSnapshot {
  readonly type: 'shards';
  readonly api: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: 'ok' | 'fail';
  readonly error?: string;
  readonly shards: readonly SnapshotShard[];
  /** Stream status (DescribeStreamSummary just before the listing); only in the reshard sampler's snapshots. */
  readonly streamStatus?: string;
}

/**
 * kill/stop/cont/term: a signal to `target`; restart: restart what is down;
 * partition: links cut (blackhole or one-way) by the link proxies; link: a
 * link degraded (delay, reset) without a cut; heal: everything undone.
 */
export type FaultAction = 'kill' | 'stop' | 'cont' | 'term' | 'restart' | 'partition' | 'link' | 'heal';

export interface FaultEvent {
  readonly type: 'fault';
  readonly atMs: number;
  readonly action: FaultAction;
  /** Process name from DATA/cluster.json (a1, b1, controller, ...), or "all". */
  readonly target: string;
  readonly pid?: number;
  /** Shards the fault is aimed at (e.g. the shard whose leader was killed). */
  readonly shardIds?: readonly string[];
  readonly detail?: string;
}

export interface ReplicaDump {
  readonly type: 'replica';
  readonly nodeId: string;
  readonly shardId: string;
  readonly logEndOffset?: number;
  readonly highWatermark?: number;
  /** Digest of every committed record in offset order, when available. */
  readonly records?: ReadonlyArray<{ readonly offset: number; readonly md5: string }>;
}

/** A whole run folder, as the checker sees it. */
export interface History {
  readonly run: RunInfo;
  readonly ops: readonly PutAttempt[];
  readonly reads: readonly ReadLine[];
  readonly shards: readonly ShardSnapshot[];
  readonly faults: readonly FaultEvent[];
  /** Undefined when the run wrote no replicas.jsonl. */
  readonly replicas?: readonly ReplicaDump[];
  /** Unexpected process exits and hostile-client probes (robustness-format.ts); absent in older folders. */
  readonly exits?: readonly ProcessExit[];
  readonly hostile?: readonly HostileProbe[];
  /** Reshard requests and leader/epoch samples (reshard-format.ts); absent in older folders. */
  readonly reshards?: readonly ReshardRequest[];
  readonly epochs?: readonly EpochSample[];
  /** Power cuts and corruptions (disk-format.ts); absent in older folders. */
  readonly disk?: readonly DiskEvent[];
  /** Enhanced fan-out subscribers' calls and events (fanout-format.ts); absent in runs without subscribers. */
  readonly subscriptions?: readonly SubscriptionLine[];
}

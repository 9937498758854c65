/**
 * Per-shard ingest rates for on-demand scaling, measured without any etcd
 * writes: the active controller asks every live storage node for its
 * per-shard counters (the typed ShardCounters RPC, shard-counter-client.ts)
 * a few times per window and keeps, per shard, the increments of three
 * counts the shard leader keeps: incoming bytes, incoming records and
 * records refused by the write limits (the node-side counts of
 * IncomingBytes, IncomingRecords and WriteProvisionedThroughputExceeded).
 * A count that goes down (node restart, replica reopened) counts from zero.
 * Leadership moves are harmless: each (node, shard) pair has its own last
 * value. Shards are keyed by stream id, so equal stream names in other
 * accounts or regions never mix.
 *
 * Utilization = demand over the window / the shard's write limit, the
 * larger of bytes and records; throttled records count as demand (at the
 * average accepted record size), so a saturated shard reads above 1.
 */
import { limits } from '@shoal/core';
import type { NodeRecord } from '@shoal/metadata';
import type { Logger } from '@shoal/wire';
import { INGEST_SERIES_MAX } from './controller-limits';

/** One shard's cumulative write counts at one node (ShardCounterSet). */
export interface ShardIngestCounts {
  readonly streamId: string;
  readonly shardId: string;
  readonly incomingBytes: number;
  readonly incomingRecords: number;
  readonly writeThrottledRecords: number;
}

/** Where the counts come from: a node's ShardCounters answer (rejects when the node does not answer). */
export interface ShardCounterSource {
  countersOf(node: NodeRecord): Promise<readonly ShardIngestCounts[]>;
  /** Forgets what it holds for nodes not in `live` (channels). */
  prune(live: ReadonlySet<string>): void;
}

const FIELDS = ['incomingBytes', 'incomingRecords', 'writeThrottledRecords'] as const;
type Field = (typeof FIELDS)[number];

interface Sample {
  readonly atMs: number;
  incomingBytes: number;
  incomingRecords: number;
  writeThrottledRecords: number;
}

export class IngestMonitor {
  /** `${node}|${streamId}|${shardId}` -> last counts. */
  private readonly last = new Map<string, ShardIngestCounts>();
  /** `${streamId}|${shardId}` -> samples (one per poll with any change), oldest first, within the window. */
  private readonly windows = new Map<string, Sample[]>();
  private startedMs: number | undefined;

  constructor(
    private readonly windowMs: number, private readonly log: Logger, private readonly source: ShardCounterSource,
    private readonly onPoll: (ok: boolean) => void = () => undefined,
  ) {}

  /** Since when every shard's window is fully measured (the first poll); Infinity before it. */
  judgeableSinceMs(): number { return this.startedMs ?? Number.POSITIVE_INFINITY; }

  /** Forgets everything (the controller lost the election: another one measures). */
  reset(): void {
    this.last.clear();
    this.windows.clear();
    this.startedMs = undefined;
  }

  /** Asks every node once; a node that does not answer is skipped this time. */
  async poll(nodes: Iterable<NodeRecord>, nowMs: number): Promise<void> {
    const list = [...nodes];
    this.source.prune(new Set(list.map((n) => n.nodeId)));
    const results = await Promise.all(list.map(async (n) => {
      try {
        const counts = await this.source.countersOf(n);
        this.onPoll(true);
        return { node: n.nodeId, counts };
      } catch (err) {
        this.onPoll(false);
        this.log.debug('shard counters call failed', { node: n.nodeId, err });
        return undefined;
      }
    }));
    if (this.last.size > INGEST_SERIES_MAX || this.windows.size > INGEST_SERIES_MAX) this.reset();
    if (this.startedMs === undefined) this.startedMs = nowMs;
    for (const r of results) {
      if (!r) continue;
      for (const c of r.counts) this.add(r.node, c, nowMs);
    }
    this.trim(nowMs);
  }

  private add(node: string, counts: ShardIngestCounts, nowMs: number): void {
    const key = `${node}|${counts.streamId}|${counts.shardId}`;
    const previous = this.last.get(key);
    this.last.set(key, counts);
    // The first sight of a shard on a node only sets its base (its past increments are older than the window we know).
    if (previous === undefined) return;
    const shardKey = `${counts.streamId}|${counts.shardId}`;
    let sample: Sample | undefined;
    for (const field of FIELDS) {
      const delta = counts[field] >= previous[field] ? counts[field] - previous[field] : counts[field];
      if (delta === 0) continue;
      sample ??= this.sampleAt(shardKey, nowMs);
      sample[field] += delta;
    }
  }

  private sampleAt(shardKey: string, nowMs: number): Sample {
    let samples = this.windows.get(shardKey);
    if (!samples) this.windows.set(shardKey, (samples = []));
    let sample = samples[samples.length - 1];
    if (!sample || sample.atMs !== nowMs) samples.push((sample = { atMs: nowMs, incomingBytes: 0, incomingRecords: 0, writeThrottledRecords: 0 }));
    return sample;
  }

  private trim(nowMs: number): void {
    for (const [key, samples] of this.windows) {
      let n = 0;
      while (n < samples.length && samples[n]!.atMs <= nowMs - this.windowMs) n++;
      if (n > 0) samples.splice(0, n);
      if (samples.length === 0) this.windows.delete(key);
    }
  }

  /** Demand of a shard over the last window as a share of its write limit (0 when nothing was written). */
  utilization(streamId: string, shardId: string): number {
    const samples = this.windows.get(`${streamId}|${shardId}`) ?? [];
    const sum: Record<Field, number> = { incomingBytes: 0, incomingRecords: 0, writeThrottledRecords: 0 };
    for (const s of samples) for (const field of FIELDS) sum[field] += s[field];
    const seconds = this.windowMs / 1000;
    const averageBytes = sum.incomingRecords > 0 ? sum.incomingBytes / sum.incomingRecords : 0;
    const byteDemand = (sum.incomingBytes + sum.writeThrottledRecords * averageBytes) / seconds / limits.SHARD_WRITE_BYTES_PER_SEC;
    const recordDemand = (sum.incomingRecords + sum.writeThrottledRecords) / seconds / limits.SHARD_WRITE_RECORDS_PER_SEC;
    return Math.max(byteDemand, recordDemand);
  }
}

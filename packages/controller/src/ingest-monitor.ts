/**
 * Per-shard ingest rates for on-demand scaling, measured without any etcd
 * writes: the active controller scrapes every live storage node's
 * /metrics (the node's httpAddress) a few times per window and keeps, per
 * shard, the increments of three counters the shard leader exports:
 * shoal_incoming_bytes_total, shoal_incoming_records_total and
 * shoal_write_provisioned_throughput_exceeded_total. A counter that goes
 * down (node restart) counts from zero. Leadership moves are harmless:
 * each (node, shard) pair has its own last value.
 *
 * Utilization = demand over the window / the shard's write limit, the
 * larger of bytes and records; throttled records count as demand (at the
 * average accepted record size), so a saturated shard reads above 1.
 */
import { limits } from '@shoal/core';
import type { NodeRecord } from '@shoal/metadata';
import type { Logger } from '@shoal/wire';
import { INGEST_SCRAPE_TIMEOUT_MS, INGEST_SERIES_MAX } from './controller-limits';

const METRIC_NAMES = {
  shoal_incoming_bytes_total: 'bytes',
  shoal_incoming_records_total: 'records',
  shoal_write_provisioned_throughput_exceeded_total: 'throttled',
} as const;
type Field = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];
const LINE = /^(shoal_incoming_bytes_total|shoal_incoming_records_total|shoal_write_provisioned_throughput_exceeded_total)\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

interface Sample {
  readonly atMs: number;
  bytes: number;
  records: number;
  throttled: number;
}

/** One counter line of a node's exposition: stream, shard, which counter, value. */
export interface CounterLine {
  readonly streamName: string;
  readonly shardId: string;
  readonly field: Field;
  readonly value: number;
}

/** Parses the three ingest counters out of Prometheus text exposition. */
export function parseIngestCounters(text: string): CounterLine[] {
  const out: CounterLine[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = new Map<string, string>();
    for (const l of m[2]!.matchAll(LABEL)) labels.set(l[1]!, l[2]!);
    const streamName = labels.get('stream_name');
    const shardId = labels.get('shard_id');
    const value = Number(m[3]);
    if (streamName === undefined || shardId === undefined || !Number.isFinite(value)) continue;
    out.push({ streamName, shardId, field: METRIC_NAMES[m[1] as keyof typeof METRIC_NAMES], value });
  }
  return out;
}

export class IngestMonitor {
  /** `${node}|${stream}|${shard}|${field}` -> last counter value. */
  private readonly last = new Map<string, number>();
  /** `${stream}|${shard}` -> samples (one per scrape with any change), oldest first, within the window. */
  private readonly windows = new Map<string, Sample[]>();
  private startedMs: number | undefined;

  constructor(private readonly windowMs: number, private readonly log: Logger, private readonly fetchText: (url: string) => Promise<string> = fetchMetrics) {}

  /** Since when every shard's window is fully measured (the first scrape); Infinity before it. */
  judgeableSinceMs(): number { return this.startedMs ?? Number.POSITIVE_INFINITY; }

  /** Forgets everything (the controller lost the election: another one measures). */
  reset(): void {
    this.last.clear();
    this.windows.clear();
    this.startedMs = undefined;
  }

  /** Scrapes every node once; a node that does not answer is skipped this time. */
  async scrape(nodes: Iterable<NodeRecord>, nowMs: number): Promise<void> {
    const results = await Promise.all([...nodes].map(async (n) => {
      try {
        return { node: n.nodeId, lines: parseIngestCounters(await this.fetchText(`${n.httpAddress}/metrics`)) };
      } catch (err) {
        this.log.debug('ingest scrape failed', { node: n.nodeId, err });
        return undefined;
      }
    }));
    if (this.last.size > INGEST_SERIES_MAX || this.windows.size > INGEST_SERIES_MAX) this.reset();
    if (this.startedMs === undefined) this.startedMs = nowMs;
    for (const r of results) {
      if (!r) continue;
      for (const line of r.lines) this.add(r.node, line, nowMs);
    }
    this.trim(nowMs);
  }

  private add(node: string, line: CounterLine, nowMs: number): void {
    const key = `${node}|${line.streamName}|${line.shardId}|${line.field}`;
    const previous = this.last.get(key);
    this.last.set(key, line.value);
    // The first sight of a series only sets its base (its past increments are older than the window we know).
    if (previous === undefined) return;
    const delta = line.value >= previous ? line.value - previous : line.value;
    if (delta === 0) return;
    const shardKey = `${line.streamName}|${line.shardId}`;
    let samples = this.windows.get(shardKey);
    if (!samples) this.windows.set(shardKey, (samples = []));
    let sample = samples[samples.length - 1];
    if (!sample || sample.atMs !== nowMs) samples.push((sample = { atMs: nowMs, bytes: 0, records: 0, throttled: 0 }));
    sample[line.field] += delta;
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
  utilization(streamName: string, shardId: string): number {
    const samples = this.windows.get(`${streamName}|${shardId}`) ?? [];
    let bytes = 0;
    let records = 0;
    let throttled = 0;
    for (const s of samples) { bytes += s.bytes; records += s.records; throttled += s.throttled; }
    const seconds = this.windowMs / 1000;
    const averageBytes = records > 0 ? bytes / records : 0;
    const byteDemand = (bytes + throttled * averageBytes) / seconds / limits.SHARD_WRITE_BYTES_PER_SEC;
    const recordDemand = (records + throttled) / seconds / limits.SHARD_WRITE_RECORDS_PER_SEC;
    return Math.max(byteDemand, recordDemand);
  }
}

async function fetchMetrics(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(INGEST_SCRAPE_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}

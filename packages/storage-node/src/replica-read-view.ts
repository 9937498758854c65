/**
 * ShardReader over one replica's parts (machine, batch cache, log, read
 * limits, metrics): the one place that knows how committed records are
 * found, so reads and subscriptions never reach into the driver. The driver
 * calls `changed()` after each loop iteration and on close; listeners run
 * only when something they can see moved.
 */
import type { RecordBatch, ReplicaMachine, ReplicaRole } from '@shoal/core';
import type { BatchCache } from './batch-cache';
import type { NodeMetrics, ShardLabels } from './node-metrics';
import type { ShardReadLimiter, ShardReader, ShardRef } from './shard-reader';
import type { ShardLog } from './store/shard-log';

export interface ReplicaReadParts {
  readonly shard: ShardRef;
  readonly streamName: string;
  readonly machine: ReplicaMachine;
  readonly cache: BatchCache;
  readonly log: ShardLog;
  readonly limiter: ShardReadLimiter | undefined;
  readonly metrics: NodeMetrics;
  readonly labels: ShardLabels;
}

export class ReplicaReadView implements ShardReader {
  private readonly listeners = new Set<() => void>();
  private seen = { hw: -1, logStart: -1, epoch: -1, role: '' as string };
  private closed = false;

  constructor(private readonly parts: ReplicaReadParts) {}

  get shard(): ShardRef { return this.parts.shard; }
  get streamName(): string { return this.parts.streamName; }
  role(): ReplicaRole { return this.parts.machine.role(); }
  epoch(): number { return this.parts.machine.epoch(); }
  /**
   * The machine's high watermark, but never past what this replica's store
   * holds: a follower learns the leader's hw with batches whose write is
   * still in flight, and readers see neither until it ends.
   */
  highWatermark(): number { return Math.min(this.parts.machine.highWatermark(), this.parts.machine.storedEndOffset()); }
  logStartOffset(): number { return this.parts.machine.logStartOffset(); }
  isClosed(): boolean { return this.closed; }
  readLimiter(): ShardReadLimiter | undefined { return this.parts.limiter; }

  async batchesFrom(from: number, end: number, maxBytes: number): Promise<RecordBatch[]> {
    const to = Math.min(end, this.highWatermark());
    if (from >= to) return [];
    return this.parts.cache.slice(from, to, maxBytes) ?? await this.parts.log.batchesFrom(from, to, maxBytes);
  }

  offsetAtTime(timestampMs: number): Promise<number | undefined> {
    return this.parts.log.offsetAtTime(timestampMs, this.highWatermark());
  }

  async arrivalAt(offset: number): Promise<number> {
    if (offset < 0) return 0;
    const [batch] = await this.batchesFrom(offset, offset + 1, 1);
    if (!batch) return 0;
    if (batch.endOffset - 1 === offset) return batch.header.lastArrivalMs;
    for (const r of batch.records(offset)) return r.arrivalMs;
    return 0;
  }

  noteRead(outcome: { readonly bytes: number; readonly records: number } | 'throttled'): void {
    const { metrics, labels } = this.parts;
    if (outcome === 'throttled') { metrics.readExceeded.inc(labels); return; }
    metrics.getRecordsBytes.inc(labels, outcome.bytes);
    metrics.getRecordsRecords.inc(labels, outcome.records);
  }

  onChange(listener: () => void): () => void {
    if (this.closed) { queueMicrotask(listener); return () => undefined; }
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** The driver's word that its loop ran: tells listeners if anything they see moved. */
  changed(): void {
    if (this.listeners.size === 0 || this.closed) return;
    const m = this.parts.machine;
    const now = { hw: this.highWatermark(), logStart: m.logStartOffset(), epoch: m.epoch(), role: m.role() as string };
    const s = this.seen;
    if (now.hw === s.hw && now.logStart === s.logStart && now.epoch === s.epoch && now.role === s.role) return;
    this.seen = now;
    for (const l of [...this.listeners]) l();
  }

  /** The replica closed: listeners hear it once and are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.listeners];
    this.listeners.clear();
    for (const l of all) l();
  }
}

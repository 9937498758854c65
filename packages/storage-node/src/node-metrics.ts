/**
 * What a storage node measures. Two kinds:
 *
 * - Per-shard counts at the shard leader (IncomingBytes, IncomingRecords,
 *   WriteProvisionedThroughputExceeded, and the metered reads' OutgoingBytes,
 *   OutgoingRecords, ReadProvisionedThroughputExceeded): kept in memory,
 *   one entry per replica held here (dropped by removeShard), and served to
 *   the controller's autoscaler by the ShardCounters RPC (shard-counters.ts).
 *   They are not exported to Prometheus: the api exports those Kinesis
 *   metrics, with the caller's account and enhanced-monitoring gating
 *   (@shoal/wire METRICS), so nothing is counted under two names.
 * - Cluster internals for Prometheus, with bounded labels (no shard label):
 *   replicas by role, led shards by ISR size, the largest replication lag
 *   per follower (computed at scrape time from `sources`), group commits,
 *   storage write and fsync latency (observed by db-timing.ts), etcd request
 *   latency (observeEtcd, from the node's etcd client).
 *
 * Call sites inside the write path (replica driver, read view) use only
 * the ShardTally fields and groupCommits below, with the driver's
 * ShardLabels: keep those names when the driver is rewritten.
 */
import type { Counter, Histogram, Registry } from 'prom-client';
import { METRICS, counterOf, gaugeOf, histogramOf, processRegistry } from '@shoal/wire';
import { ShardMap } from './shard-map';

/** Per-shard numbers read at scrape time. */
export interface ReplicaGaugeSource {
  readonly streamName: string;
  readonly shardId: string;
  readonly role: 'leader' | 'follower';
  readonly isrSize: number;
  readonly highWatermark: number;
  readonly logEndOffset: number;
  /** follower node id -> acknowledged log end (-1 unknown); leaders only. */
  readonly followerLogEnds: ReadonlyMap<string, number>;
}

/** Which shard a count is for (stream names repeat across accounts and regions: the stream id tells them apart). */
export type ShardLabels = { readonly stream_id: string; readonly stream_name: string; readonly shard_id: string };

/** One shard's cumulative counts at this node (the ShardCounters RPC's ShardCounterSet). */
export interface ShardCounts {
  readonly streamId: string;
  readonly shardId: string;
  incomingBytes: number;
  incomingRecords: number;
  writeThrottledRecords: number;
  outgoingBytes: number;
  outgoingRecords: number;
  readThrottledRequests: number;
}

type CountField = Exclude<keyof ShardCounts, 'streamId' | 'shardId'>;

/** Per-shard counts in memory, one entry per replica that counted something; bounded by the replicas this node holds. */
export class ShardCountTable {
  private readonly byShard = new ShardMap<ShardCounts>();

  add(labels: ShardLabels, field: CountField, n: number): void {
    let counts = this.byShard.get(labels.stream_id, labels.shard_id);
    if (!counts) {
      counts = { streamId: labels.stream_id, shardId: labels.shard_id, incomingBytes: 0, incomingRecords: 0, writeThrottledRecords: 0, outgoingBytes: 0, outgoingRecords: 0, readThrottledRequests: 0 };
      this.byShard.set(labels.stream_id, labels.shard_id, counts);
    }
    counts[field] += n;
  }

  remove(labels: ShardLabels): void { this.byShard.delete(labels.stream_id, labels.shard_id); }

  all(): Iterable<Readonly<ShardCounts>> { return this.byShard.values(); }
}

/** One per-shard count, incremented with the driver's labels (the prom-client Counter.inc shape it had). */
export class ShardTally {
  constructor(private readonly table: ShardCountTable, private readonly field: CountField) {}

  inc(labels: ShardLabels, n = 1): void { this.table.add(labels, this.field, n); }
}

export class NodeMetrics {
  readonly registry: Registry = processRegistry();
  readonly shardCounts = new ShardCountTable();
  readonly incomingBytes = new ShardTally(this.shardCounts, 'incomingBytes');
  readonly incomingRecords = new ShardTally(this.shardCounts, 'incomingRecords');
  readonly writeExceeded = new ShardTally(this.shardCounts, 'writeThrottledRecords');
  readonly readExceeded = new ShardTally(this.shardCounts, 'readThrottledRequests');
  readonly getRecordsBytes = new ShardTally(this.shardCounts, 'outgoingBytes');
  readonly getRecordsRecords = new ShardTally(this.shardCounts, 'outgoingRecords');
  readonly groupCommits: Counter = counterOf(METRICS.groupCommits, this.registry);
  private readonly storageWrites: Histogram = histogramOf(METRICS.storageWriteDuration, this.registry);
  private readonly fsyncs: Histogram = histogramOf(METRICS.storageFsyncDuration, this.registry);
  private readonly etcdRequests: Histogram = histogramOf(METRICS.etcdRequestDuration, this.registry);

  constructor(readonly nodeId: string, sources: () => Iterable<ReplicaGaugeSource>, az = '') {
    gaugeOf(METRICS.nodeInfo, this.registry).set({ node_id: nodeId, az }, 1);
    gaugeOf(METRICS.nodeReplicas, this.registry, (g) => {
      const byRole = { leader: 0, follower: 0 };
      for (const s of sources()) byRole[s.role]++;
      for (const [role, n] of Object.entries(byRole)) g.set({ role }, n);
    });
    gaugeOf(METRICS.leaderShards, this.registry, (g) => {
      g.reset();
      for (const s of sources()) if (s.role === 'leader') g.inc({ isr_size: String(s.isrSize) });
    });
    gaugeOf(METRICS.replicationLag, this.registry, (g) => {
      g.reset();
      const lagOf = new Map<string, number>();
      for (const s of sources()) {
        if (s.role !== 'leader') continue;
        for (const [follower, end] of s.followerLogEnds) {
          const lag = end < 0 ? s.logEndOffset : Math.max(0, s.logEndOffset - end);
          lagOf.set(follower, Math.max(lagOf.get(follower) ?? 0, lag));
        }
      }
      for (const [follower, lag] of lagOf) g.set({ follower }, lag);
    });
  }

  /** One storage write finished (db-timing.ts); `synced` writes also count as fsyncs. */
  observeStorageWrite(seconds: number, synced: boolean): void {
    this.storageWrites.observe(seconds);
    if (synced) this.fsyncs.observe(seconds);
  }

  /** One fsync that is not part of a write (the periodic log sync of --fsync off, wal-sync.ts). */
  observeFsync(seconds: number): void {
    this.fsyncs.observe(seconds);
  }

  /** One unary etcd call finished (MetadataStore onEtcdCall). */
  observeEtcd(method: string, seconds: number, outcome: string): void {
    this.etcdRequests.observe({ method, outcome }, seconds);
  }

  /** Drops the per-shard counts of a replica that left this node. */
  removeShard(labels: ShardLabels): void {
    this.shardCounts.remove(labels);
  }
}

/**
 * Prometheus metrics of a storage node, named after the CloudWatch metrics
 * of Kinesis Data Streams (IncomingBytes, IncomingRecords,
 * WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded,
 * GetRecords.Bytes/Records), labelled per shard, plus replication health
 * (lag per follower, ISR size, high watermark), computed at scrape time.
 * One registry per node (not the global one), so several nodes can run in
 * one process (tests).
 */
import { Counter, Gauge, Registry } from 'prom-client';

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

export type ShardLabels = { stream_name: string; shard_id: string };

export class NodeMetrics {
  readonly registry = new Registry();
  readonly incomingBytes: Counter<'stream_name' | 'shard_id'>;
  readonly incomingRecords: Counter<'stream_name' | 'shard_id'>;
  readonly writeExceeded: Counter<'stream_name' | 'shard_id'>;
  readonly readExceeded: Counter<'stream_name' | 'shard_id'>;
  readonly getRecordsBytes: Counter<'stream_name' | 'shard_id'>;
  readonly getRecordsRecords: Counter<'stream_name' | 'shard_id'>;
  readonly groupCommits: Counter;

  constructor(nodeId: string, sources: () => Iterable<ReplicaGaugeSource>) {
    this.registry.setDefaultLabels({ node_id: nodeId });
    const shard = ['stream_name', 'shard_id'] as const;
    const reg = [this.registry];
    this.incomingBytes = new Counter({ name: 'shoal_incoming_bytes_total', help: 'IncomingBytes: bytes (data + partition key) appended at the shard leader', labelNames: shard, registers: reg });
    this.incomingRecords = new Counter({ name: 'shoal_incoming_records_total', help: 'IncomingRecords: records appended at the shard leader', labelNames: shard, registers: reg });
    this.writeExceeded = new Counter({ name: 'shoal_write_provisioned_throughput_exceeded_total', help: 'WriteProvisionedThroughputExceeded: records refused by the shard write limits', labelNames: shard, registers: reg });
    this.readExceeded = new Counter({ name: 'shoal_read_provisioned_throughput_exceeded_total', help: 'ReadProvisionedThroughputExceeded: reads refused by the shard read limits', labelNames: shard, registers: reg });
    this.getRecordsBytes = new Counter({ name: 'shoal_get_records_bytes_total', help: 'GetRecords.Bytes: bytes returned by metered reads', labelNames: shard, registers: reg });
    this.getRecordsRecords = new Counter({ name: 'shoal_get_records_records_total', help: 'GetRecords.Records: records returned by metered reads', labelNames: shard, registers: reg });
    this.groupCommits = new Counter({ name: 'shoal_group_commits_total', help: 'Store writes of the node driver (one per step, for every shard with new batches or state)', registers: reg });
    new Gauge({
      name: 'shoal_replication_lag_records', help: 'Leader log end minus a follower\'s acknowledged log end', labelNames: [...shard, 'follower'], registers: reg,
      collect() {
        this.reset();
        for (const s of sources()) {
          if (s.role !== 'leader') continue;
          for (const [follower, end] of s.followerLogEnds) this.set({ stream_name: s.streamName, shard_id: s.shardId, follower }, end < 0 ? s.logEndOffset : s.logEndOffset - end);
        }
      },
    });
    new Gauge({
      name: 'shoal_isr_size', help: 'In-sync replicas of shards this node leads', labelNames: shard, registers: reg,
      collect() {
        this.reset();
        for (const s of sources()) if (s.role === 'leader') this.set({ stream_name: s.streamName, shard_id: s.shardId }, s.isrSize);
      },
    });
    new Gauge({
      name: 'shoal_high_watermark', help: 'High watermark (exclusive committed end) of each replica', labelNames: [...shard, 'role'], registers: reg,
      collect() {
        this.reset();
        for (const s of sources()) this.set({ stream_name: s.streamName, shard_id: s.shardId, role: s.role }, s.highWatermark);
      },
    });
  }

  /** Drops the per-shard series of a replica that left this node. */
  removeShard(labels: ShardLabels): void {
    for (const c of [this.incomingBytes, this.incomingRecords, this.writeExceeded, this.readExceeded, this.getRecordsBytes, this.getRecordsRecords]) c.remove(labels);
  }
}

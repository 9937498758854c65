/**
 * The label values of the streams, shards and consumers this api process
 * has measured, so their series stay bounded and can be dropped: at most
 * METRIC_STREAMS_MAX streams get their own `stream` label (later ones are
 * counted under OTHER_STREAMS_LABEL), at most METRIC_SHARDS_MAX shards
 * their own `shard` label (later ones under `shard="_other"` of their
 * stream), and a deleted stream forgets everything it had (ApiMetrics
 * removes the series). Streams are told apart by stream id; the labels are
 * the account, region and name, as CloudWatch names a stream.
 */
import { OTHER_STREAMS_LABEL } from '@shoal/wire';

/** Streams with their own label values per api process. */
export const METRIC_STREAMS_MAX = 1_000;
/** Shards with their own label values (shard-level metrics, enhanced monitoring) per api process. */
export const METRIC_SHARDS_MAX = 10_000;
/** Consumers with their own label values per stream (Kinesis allows 20, or 50 with On-demand Advantage). */
export const METRIC_CONSUMERS_PER_STREAM_MAX = 50;

/** What a measurement needs of a stream record. */
export interface MeteredStream {
  readonly streamId: string;
  readonly accountId: string;
  readonly region: string;
  readonly streamName: string;
  /** Shard-level metrics turned on (EnableEnhancedMonitoring). */
  readonly shardLevelMetrics?: readonly string[];
}

export type StreamLabels = { readonly account: string; readonly region: string; readonly stream: string };
export type ShardLabels = StreamLabels & { readonly shard: string };
export type ConsumerLabels = StreamLabels & { readonly consumer: string };

const OTHER: StreamLabels = { account: OTHER_STREAMS_LABEL, region: OTHER_STREAMS_LABEL, stream: OTHER_STREAMS_LABEL };

interface Entry {
  readonly labels: StreamLabels;
  readonly shards: Set<string>;
  readonly consumers: Set<string>;
}

/** What a lookup found: the labels, and whether they were seen for the first time (their series start at 0). */
export interface Labelled<L> {
  readonly labels: L;
  readonly fresh: boolean;
}

export class MeteredStreams {
  private readonly byId = new Map<string, Entry>();
  private shardCount = 0;

  constructor(private readonly streamsMax = METRIC_STREAMS_MAX, private readonly shardsMax = METRIC_SHARDS_MAX) {}

  /** The stream's labels; `folded` when the process labels its most streams already. */
  stream(s: MeteredStream): Labelled<StreamLabels> & { readonly folded: boolean } {
    const entry = this.byId.get(s.streamId);
    if (entry) return { labels: entry.labels, fresh: false, folded: false };
    if (this.byId.size >= this.streamsMax) return { labels: OTHER, fresh: false, folded: true };
    const labels = { account: s.accountId, region: s.region, stream: s.streamName };
    this.byId.set(s.streamId, { labels, shards: new Set(), consumers: new Set() });
    return { labels, fresh: true, folded: false };
  }

  /** The shard's labels (its stream labelled first). */
  shard(s: MeteredStream, shardId: string): Labelled<ShardLabels> {
    const { labels } = this.stream(s);
    const entry = this.byId.get(s.streamId);
    if (!entry) return { labels: { ...labels, shard: OTHER_STREAMS_LABEL }, fresh: false };
    if (entry.shards.has(shardId)) return { labels: { ...labels, shard: shardId }, fresh: false };
    if (this.shardCount >= this.shardsMax) return { labels: { ...labels, shard: OTHER_STREAMS_LABEL }, fresh: false };
    entry.shards.add(shardId);
    this.shardCount++;
    return { labels: { ...labels, shard: shardId }, fresh: true };
  }

  /** The consumer's labels (its stream labelled first). */
  consumer(s: MeteredStream, consumerName: string): Labelled<ConsumerLabels> {
    const { labels } = this.stream(s);
    const entry = this.byId.get(s.streamId);
    if (!entry || (!entry.consumers.has(consumerName) && entry.consumers.size >= METRIC_CONSUMERS_PER_STREAM_MAX)) {
      return { labels: { ...labels, consumer: OTHER_STREAMS_LABEL }, fresh: false };
    }
    const fresh = !entry.consumers.has(consumerName);
    entry.consumers.add(consumerName);
    return { labels: { ...labels, consumer: consumerName }, fresh };
  }

  /** The shard labels a stream has now (to drop shard series when enhanced monitoring turns a metric off). */
  shardsOf(streamId: string): ShardLabels[] {
    const entry = this.byId.get(streamId);
    return entry ? [...entry.shards].map((shard) => ({ ...entry.labels, shard })) : [];
  }

  /** Forgets a stream (deleted); what it had, for removing its series. */
  forget(streamId: string): { stream: StreamLabels; shards: ShardLabels[]; consumers: ConsumerLabels[] } | undefined {
    const entry = this.byId.get(streamId);
    if (!entry) return undefined;
    this.byId.delete(streamId);
    this.shardCount -= entry.shards.size;
    return {
      stream: entry.labels,
      shards: [...entry.shards].map((shard) => ({ ...entry.labels, shard })),
      consumers: [...entry.consumers].map((consumer) => ({ ...entry.labels, consumer })),
    };
  }

  /** Stream ids labelled now. */
  ids(): IterableIterator<string> { return this.byId.keys(); }
}

/**
 * One storage Subscribe call for one shard, shared by the subscriptions of
 * this api process that stand at its position. The consumers of a stream
 * usually read the same tail: with a feed the storage node sends, and the
 * api decodes, each record once per shard rather than once per consumer.
 *
 * `received` is the offset after the last record taken from the node; the
 * feed keeps the records before it, at most feedHistoryBytes of them, so a
 * reader at any offset in [start of the history, received] can join: it is
 * given the history from its offset, then every record as it arrives
 * (delivery is synchronous, so each reader stands at `received` after it).
 * A reader that cannot take more leaves (Subscription: its buffer is
 * full) and joins again later where it stands (ShardFeeds).
 *
 * The storage call is opened at `received`; when the leader changes, the
 * call fails or the node says nothing for upstreamSilenceMs, it is opened
 * again there: nothing is lost, duplicated (older offsets are dropped) or
 * reordered, and a gap the log does not explain (only trimming may skip
 * records) is never delivered past. The call is paced at the settings'
 * bytesPerSec (2 MiB/s per consumer and shard): every reader gets records
 * no faster than that, apart from the history it is given on joining.
 */
import type { ShardRecord } from '@shoal/metadata';
import type { RecordOut__Output, SubscribeMessage__Output } from '@shoal/wire';
import type { OperationContext } from '../operation';
import type { StorageSubscription } from '../storage/storage-clients';
import { NamedTimers, type Timers } from './named-timers';
import { UPSTREAM_RETRY_MS_MAX, UPSTREAM_RETRY_MS_MIN, type FanOutSettings } from './fan-out-settings';
import { recordBytes, shardEndOffset } from './subscription-events';

/** What a feed hands records to (a subscription). */
export interface FeedReader {
  /** The offset of the next record the reader takes. */
  position(): number;
  /** Records from the reader's position on, in order (offsets below it may be among them; a trimmed range may be skipped), and the shard's high watermark. */
  take(records: readonly RecordOut__Output[], highWatermark: number): void;
}

/** What a feed needs of its process. */
export type FeedEnv = Pick<OperationContext, 'view' | 'storage' | 'logger' | 'metrics'> & {
  readonly settings: FanOutSettings;
  readonly timers: Timers;
};

/** What a feed tells the set of feeds it belongs to. */
export interface FeedEvents {
  /** Records arrived: the feed's position moved. */
  advanced(feed: ShardFeed): void;
  /** The last reader left; the feed is closed. */
  closed(feed: ShardFeed): void;
}

export class ShardFeed {
  private received: number;
  private readonly history: RecordOut__Output[] = [];
  private historyBytes = 0;
  private highWatermark = 0;
  private readonly readers = new Set<FeedReader>();
  private upstream: { readonly id: number; readonly nodeId: string; readonly call: StorageSubscription } | undefined;
  private upstreamSeq = 0;
  private retryMs = UPSTREAM_RETRY_MS_MIN;
  private readonly timers: NamedTimers<'silence' | 'reopen'>;
  private isClosed = false;

  constructor(readonly streamId: string, readonly shardId: string, from: number, private readonly env: FeedEnv, private readonly events: FeedEvents) {
    this.timers = new NamedTimers(env.timers);
    this.received = from;
  }

  /** Where the feed stands: the offset after the last record it took from the node. */
  position(): number {
    return this.received;
  }

  /** Whether a reader at `offset` can join: the history reaches back to it. */
  covers(offset: number): boolean {
    const start = this.history.length > 0 ? Number(this.history[0]!.offset) : this.received;
    return !this.isClosed && offset >= start && offset <= this.received;
  }

  /** Adds a reader whose position the feed covers: it gets the history from there, then every new record. */
  join(reader: FeedReader): void {
    if (this.isClosed) throw new Error('join on a closed feed');
    this.readers.add(reader);
    const from = reader.position();
    if (from < this.received) {
      let i = this.history.length;
      while (i > 0 && Number(this.history[i - 1]!.offset) >= from) i--;
      reader.take(this.history.slice(i), this.highWatermark);
    }
    this.openUpstream();
  }

  /** Removes a reader; the feed closes (and its storage call ends) when it was the last. */
  leave(reader: FeedReader): void {
    if (!this.readers.delete(reader) || this.readers.size > 0) return;
    this.close();
  }

  /** The readers now (a copy: they may leave while the caller walks it). */
  members(): FeedReader[] {
    return [...this.readers];
  }

  /** The shard's record changed in the view: follow a new leader at once. */
  shardChanged(): void {
    if (this.isClosed) return;
    const shard = this.shard();
    if (shard && (!this.upstream || this.upstream.nodeId !== shard.leader)) {
      // A new leader (or one after a failed call): try it now rather than after the retry delay.
      this.closeUpstream();
      this.openUpstream();
    }
  }

  /** Ends the storage call and the timers; readers are dropped (they end or join another feed themselves). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.timers.stop();
    this.closeUpstream();
    this.events.closed(this);
    this.readers.clear();
    this.history.length = 0;
    this.historyBytes = 0;
  }

  private shard(): ShardRecord | undefined {
    return this.env.view.shard(this.streamId, this.shardId)?.value;
  }

  private openUpstream(): void {
    if (this.isClosed || this.upstream) return;
    this.timers.clear('reopen');
    const shard = this.shard();
    if (!shard) return;
    const end = shardEndOffset(shard);
    if (end !== undefined && this.received >= end) return;
    const id = ++this.upstreamSeq;
    const nodeId = shard.leader;
    try {
      const call = this.env.storage.subscribe(nodeId, {
        shard: { stream_id: this.streamId, shard_id: this.shardId },
        from_offset: this.received, bytes_per_sec: this.env.settings.bytesPerSec, max_bytes: this.env.settings.upstreamMessageBytes,
      }, {
        message: (m) => this.onMessage(id, m),
        end: (err) => this.onEnd(id, err),
      });
      this.upstream = { id, nodeId, call };
      this.timers.arm('silence', this.env.settings.upstreamSilenceMs, () => this.restart('silent'));
    } catch (err) {
      this.env.logger.debug('subscribe call not opened', { nodeId, err });
      this.scheduleReopen();
    }
  }

  private closeUpstream(): void {
    this.timers.clear('silence');
    const up = this.upstream;
    this.upstream = undefined;
    up?.call.cancel();
  }

  private restart(why: string): void {
    this.env.logger.debug('subscribe call restarted', { streamId: this.streamId, shardId: this.shardId, why });
    this.env.metrics.subscribeUpstreamRestarted();
    this.closeUpstream();
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.isClosed || this.timers.has('reopen')) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, UPSTREAM_RETRY_MS_MAX);
    this.timers.arm('reopen', delay, () => this.openUpstream());
  }

  private onEnd(id: number, err: Error | undefined): void {
    if (this.upstream?.id !== id) return;
    this.upstream = undefined;
    this.timers.clear('silence');
    this.env.logger.debug('subscribe call ended', { streamId: this.streamId, shardId: this.shardId, err });
    this.env.metrics.subscribeUpstreamRestarted();
    this.scheduleReopen();
  }

  private onMessage(id: number, m: SubscribeMessage__Output): void {
    if (this.upstream?.id !== id || this.isClosed) return;
    this.timers.arm('silence', this.env.settings.upstreamSilenceMs, () => this.restart('silent'));
    if (m.error !== 'OK') {
      // The node cannot serve this shard (any more): go where the view names the leader, after a short wait.
      this.restart(m.error);
      return;
    }
    this.retryMs = UPSTREAM_RETRY_MS_MIN;
    this.highWatermark = Math.max(this.highWatermark, Number(m.high_watermark));
    const logStart = Number(m.log_start_offset);
    const fresh: RecordOut__Output[] = [];
    for (const r of m.records) {
      const offset = Number(r.offset);
      if (offset < this.received) continue;
      if (offset > this.received && this.received >= logStart) {
        this.env.logger.error('subscribe call skipped records', { streamId: this.streamId, shardId: this.shardId, expected: this.received, got: offset });
        this.restart('gap');
        break;
      }
      fresh.push(r);
      this.received = offset + 1;
    }
    this.remember(fresh);
    for (const reader of [...this.readers]) if (this.readers.has(reader)) reader.take(fresh, this.highWatermark);
    if (fresh.length > 0 && !this.isClosed) this.events.advanced(this);
  }

  /** Keeps the newest records, at most feedHistoryBytes of them. */
  private remember(records: readonly RecordOut__Output[]): void {
    for (const r of records) {
      this.history.push(r);
      this.historyBytes += recordBytes(r);
    }
    let drop = 0;
    while (drop < this.history.length && this.historyBytes > this.env.settings.feedHistoryBytes) this.historyBytes -= recordBytes(this.history[drop++]!);
    if (drop > 0) this.history.splice(0, drop);
  }
}

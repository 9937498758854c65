/**
 * One SubscribeToShard subscription in the api: the initial-response, then
 * events as the shard leader pushes committed records, an event at least
 * every idleEventMs, the end after sessionMs, the end of a closed shard
 * with its ChildShards, and error events (a takeover:
 * ResourceInUseException).
 *
 * Records come from a feed of the shard (shard-feed.ts: one storage
 * Subscribe call shared by the subscriptions at the same position).
 * Positions: `next` is the offset of the next record the client gets;
 * `received` the offset after the last record taken from the feed (the
 * queue holds [next, received)). The subscription always joins a feed at
 * `received`, so nothing is lost, duplicated (older offsets are dropped) or
 * reordered.
 *
 * Bounded: the queue holds at most bufferBytesMax (+ one storage message);
 * past it the subscription leaves its feed and joins one again once the
 * client has drained half of it. The HTTP sink's back-pressure (write false
 * -> drain) stops event writing. Timers and the wall clock are injected.
 */
import type { ShardRecord } from '@shoal/metadata';
import type { RecordOut__Output } from '@shoal/wire';
import type { OperationContext, ResponseSink, ResponseStream } from '../operation';
import type { Codec } from '../protocol/codec';
import { recordPresenter, type RecordPresenter } from '../streams/client-records';
import { exceptionMessage, initialResponseMessage, subscribeToShardEventMessage, type EventStreamException } from './event-stream';
import type { FanOutSettings } from './fan-out-settings';
import { NamedTimers, type Timers } from './named-timers';
import type { FeedReader } from './shard-feed';
import type { ShardFeeds } from './shard-feeds';
import { sharedEventFrame } from './shared-event-frame';
import {
  childShardsOf, millisBehindLatest, recordBytes, recordsEvent, shardEndEvent, shardEndOffset, type SentRecord,
} from './subscription-events';

/** What a subscription needs of its process. */
export type SubscriptionEnv = Pick<OperationContext, 'view' | 'logger' | 'metrics' | 'now' | 'crypto'> & {
  readonly settings: FanOutSettings;
  readonly timers: Timers;
  readonly feeds: Pick<ShardFeeds, 'join' | 'leave'>;
  /** Called once when the subscription ended, for any reason. */
  readonly ended: (subscription: Subscription) => void;
};

/** Who subscribes to what, from where. */
export interface SubscriptionTarget {
  readonly subscriptionId: string;
  readonly streamId: string;
  readonly streamName: string;
  readonly consumerName: string;
  readonly consumerArn: string;
  readonly shardId: string;
  readonly startOffset: number;
}

export class Subscription implements ResponseStream, FeedReader {
  private sink: ResponseSink | undefined;
  private next: number;
  private received: number;
  private readonly queue: RecordOut__Output[] = [];
  private queueBytes = 0;
  private highWatermark = 0;
  private lastArrivalMs: number | undefined;
  private lastSent: SentRecord | undefined;
  private presenter: RecordPresenter | undefined;
  private writable = true;
  private ended = false;
  private inFeed = false;
  private readonly timers: NamedTimers<'session' | 'idle'>;

  constructor(readonly target: SubscriptionTarget, private readonly codec: Codec, private readonly env: SubscriptionEnv) {
    this.timers = new NamedTimers(env.timers);
    this.next = target.startOffset;
    this.received = target.startOffset;
  }

  pipe(sink: ResponseSink): void {
    this.sink = sink;
    sink.onClose(() => this.finish());
    if (this.ended) return;
    this.write(initialResponseMessage(this.codec));
    this.timers.arm('session', this.env.settings.sessionMs, () => this.finish());
    this.armIdle();
    if (!this.shard()) { this.finish(); return; }
    this.joinFeed();
    this.checkShardEnd();
  }

  /** The shard's record changed in the view: end when it is gone, or at the shard's end (its feed follows a new leader). */
  shardChanged(): void {
    if (this.ended) return;
    if (!this.shard()) { this.finish(); return; }
    this.checkShardEnd();
  }

  /** Ends with an error event (takeover: ResourceInUseException). */
  fail(type: EventStreamException, message: string): void {
    if (this.ended) return;
    this.write(exceptionMessage(this.codec, type, message));
    this.finish();
  }

  /** Ends without an error event (the consumer or stream is gone, the process stops). */
  end(): void {
    this.finish();
  }

  // ---- storage side ------------------------------------------------------

  private shard(): ShardRecord | undefined {
    return this.env.view.shard(this.target.streamId, this.target.shardId)?.value;
  }

  /** How records are shown now (the stream's retention and data keys may change during a subscription); the last one if the stream is gone. */
  private currentPresenter(nowMs: number): RecordPresenter | undefined {
    const stream = this.env.view.streamById(this.target.streamId)?.value;
    const shard = this.shard();
    if (stream && shard) this.presenter = recordPresenter(this.env.crypto, stream, shard, nowMs);
    return this.presenter;
  }

  private joinFeed(): void {
    if (this.ended || this.inFeed) return;
    this.inFeed = true;
    this.env.feeds.join(this, this.target.streamId, this.target.shardId);
  }

  private leaveFeed(): void {
    if (!this.inFeed) return;
    this.inFeed = false;
    this.env.feeds.leave(this);
  }

  position(): number {
    return this.received;
  }

  take(records: readonly RecordOut__Output[], highWatermark: number): void {
    if (this.ended) return;
    this.highWatermark = Math.max(this.highWatermark, highWatermark);
    for (const r of records) {
      const offset = Number(r.offset);
      if (offset < this.received) continue;
      this.queue.push(r);
      this.queueBytes += recordBytes(r);
      this.received = offset + 1;
    }
    this.flush();
    // Past the bound, stop taking records; join a feed again once the client has drained half.
    if (this.queueBytes >= this.env.settings.bufferBytesMax) this.leaveFeed();
  }

  // ---- client side -------------------------------------------------------

  private flush(): void {
    while (this.writable && !this.ended && this.queue.length > 0) {
      let bytes = 0;
      let n = 0;
      while (n < this.queue.length) {
        const size = recordBytes(this.queue[n]!);
        if (n > 0 && bytes + size > this.env.settings.eventBytesMax) break;
        bytes += size;
        n++;
      }
      const records = this.queue.splice(0, n);
      this.queueBytes -= bytes;
      this.sendEvent(records, bytes);
    }
    if (!this.inFeed && this.queueBytes <= this.env.settings.bufferBytesMax / 2) this.joinFeed();
    this.checkShardEnd();
  }

  private sendEvent(records: readonly RecordOut__Output[], bytes: number): void {
    const last = records[records.length - 1];
    if (last) {
      this.next = Number(last.offset) + 1;
      this.lastArrivalMs = Number(last.arrival_ms);
      this.lastSent = { offset: Number(last.offset), arrivalMs: Number(last.arrival_ms) };
    }
    const arrival = this.lastArrivalMs ?? (this.queue[0] ? Number(this.queue[0].arrival_ms) : undefined);
    const nowMs = this.env.now();
    const behind = millisBehindLatest(this.next, this.highWatermark, nowMs, arrival);
    const stream = this.env.view.streamById(this.target.streamId)?.value;
    if (stream) this.env.metrics.recordSubscribeEvent(stream, this.target.consumerName, this.target.shardId, { records: records.length, bytes }, behind);
    const presenter = this.currentPresenter(nowMs);
    if (!presenter) return;
    let retained = 0;
    for (const r of records) if (presenter.retained(r)) retained++;
    this.write(sharedEventFrame(this.codec, records, behind, retained,
      () => subscribeToShardEventMessage(this.codec, recordsEvent(this.codec, presenter, records, this.next, this.lastSent, behind))));
    this.armIdle();
  }

  private armIdle(): void {
    this.timers.arm('idle', this.env.settings.idleEventMs, () => {
      if (this.writable && this.queue.length === 0) this.sendEvent([], 0);
      else this.armIdle();
    });
  }

  /** At the end of a closed shard, once the client has every record: the ChildShards event, then the end. */
  private checkShardEnd(): void {
    if (this.ended || !this.writable || this.queue.length > 0) return;
    const shard = this.shard();
    if (!shard) return;
    const end = shardEndOffset(shard);
    if (end === undefined || this.next < end) return;
    const children = childShardsOf(this.env.view.shardsOf(this.target.streamId).map((s) => s.value), shard.shardId);
    // Children are committed with the parent's end; without them the end cannot be told (wait for the view).
    if (children.length === 0) return;
    this.write(subscribeToShardEventMessage(this.codec, shardEndEvent(children)));
    this.finish();
  }

  private write(chunk: Buffer): void {
    const sink = this.sink;
    if (!sink || this.ended) return;
    if (!sink.write(chunk) && this.writable) {
      this.writable = false;
      sink.onDrain(() => {
        this.writable = true;
        this.flush();
      });
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.timers.stop();
    this.leaveFeed();
    this.queue.length = 0;
    this.queueBytes = 0;
    this.sink?.end();
    this.env.ended(this);
  }
}

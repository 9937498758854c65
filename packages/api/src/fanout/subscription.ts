/**
 * One SubscribeToShard subscription in the api: the initial-response, then
 * events as the shard leader pushes committed records (storage Subscribe),
 * an event at least every idleEventMs, the end after sessionMs, the end of a
 * closed shard with its ChildShards, and error events (a takeover:
 * ResourceInUseException).
 *
 * Positions: `next` is the offset of the next record the client gets;
 * `received` the offset after the last record taken from the storage node
 * (the queue holds [next, received)). A storage call is always opened at
 * `received`, so when the leader changes, a node dies or the call is paused
 * for back-pressure, the new call continues exactly after the last record
 * taken: nothing is lost, duplicated (older offsets are dropped) or
 * reordered.
 *
 * Bounded: the queue holds at most bufferBytesMax (+ one storage message);
 * past it the storage call is cancelled and reopened once the client has
 * drained half of it. The HTTP sink's back-pressure (write false -> drain)
 * stops event writing. Timers and the wall clock are injected.
 */
import type { ShardRecord } from '@shoal/metadata';
import type { RecordOut__Output, SubscribeMessage__Output } from '@shoal/wire';
import type { OperationContext, ResponseSink, ResponseStream } from '../operation';
import type { Codec } from '../protocol/codec';
import type { StorageSubscription } from '../storage/storage-clients';
import { recordPresenter, type RecordPresenter } from '../streams/client-records';
import { exceptionMessage, initialResponseMessage, subscribeToShardEventMessage, type EventStreamException } from './event-stream';
import { UPSTREAM_RETRY_MS_MAX, UPSTREAM_RETRY_MS_MIN, type FanOutSettings } from './fan-out-settings';
import {
  childShardsOf, millisBehindLatest, recordBytes, recordsEvent, shardEndEvent, shardEndOffset, type SentRecord,
} from './subscription-events';

/** Injected timers (setTimeout / clearTimeout in the process, a fake scheduler in tests). */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** What a subscription needs of its process. */
export type SubscriptionEnv = Pick<OperationContext, 'view' | 'storage' | 'logger' | 'metrics' | 'now' | 'crypto'> & {
  readonly settings: FanOutSettings;
  readonly timers: Timers;
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

export class Subscription implements ResponseStream {
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
  private upstream: { readonly id: number; readonly nodeId: string; readonly call: StorageSubscription } | undefined;
  private upstreamSeq = 0;
  private pausedForBuffer = false;
  private retryMs = UPSTREAM_RETRY_MS_MIN;
  private readonly timers = new Map<'session' | 'idle' | 'silence' | 'reopen', unknown>();

  constructor(readonly target: SubscriptionTarget, private readonly codec: Codec, private readonly env: SubscriptionEnv) {
    this.next = target.startOffset;
    this.received = target.startOffset;
  }

  pipe(sink: ResponseSink): void {
    this.sink = sink;
    sink.onClose(() => this.finish());
    if (this.ended) return;
    this.write(initialResponseMessage(this.codec));
    this.arm('session', this.env.settings.sessionMs, () => this.finish());
    this.armIdle();
    this.openUpstream();
    this.checkShardEnd();
  }

  /** The shard's record changed in the view: follow a new leader at once, end at the shard's end. */
  shardChanged(): void {
    if (this.ended) return;
    const shard = this.shard();
    if (!shard) { this.finish(); return; }
    if (this.upstream ? this.upstream.nodeId !== shard.leader : !this.pausedForBuffer) {
      // A new leader (or one after a failed call): try it now rather than after the retry delay.
      this.closeUpstream();
      this.openUpstream();
    }
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
  private currentPresenter(): RecordPresenter | undefined {
    const stream = this.env.view.streamById(this.target.streamId)?.value;
    const shard = this.shard();
    if (stream && shard) this.presenter = recordPresenter(this.env.crypto, stream, shard, this.env.now());
    return this.presenter;
  }

  private openUpstream(): void {
    if (this.ended || this.upstream) return;
    this.clear('reopen');
    const shard = this.shard();
    if (!shard) { this.finish(); return; }
    if (shardEndOffset(shard) !== undefined && this.received >= shardEndOffset(shard)!) return;
    const id = ++this.upstreamSeq;
    const nodeId = shard.leader;
    try {
      const call = this.env.storage.subscribe(nodeId, {
        shard: { stream_id: this.target.streamId, shard_id: this.target.shardId },
        from_offset: this.received, bytes_per_sec: this.env.settings.bytesPerSec, max_bytes: this.env.settings.upstreamMessageBytes,
      }, {
        message: (m) => this.onUpstreamMessage(id, m),
        end: (err) => this.onUpstreamEnd(id, err),
      });
      this.upstream = { id, nodeId, call };
      this.arm('silence', this.env.settings.upstreamSilenceMs, () => this.restartUpstream('silent'));
    } catch (err) {
      this.env.logger.debug('subscribe call not opened', { nodeId, err });
      this.scheduleReopen();
    }
  }

  private closeUpstream(): void {
    this.clear('silence');
    const up = this.upstream;
    this.upstream = undefined;
    up?.call.cancel();
  }

  private restartUpstream(why: string): void {
    this.env.logger.debug('subscribe call restarted', { subscriptionId: this.target.subscriptionId, why });
    this.env.metrics.subscribeUpstreamRestarted();
    this.closeUpstream();
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.ended || this.timers.has('reopen')) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, UPSTREAM_RETRY_MS_MAX);
    this.arm('reopen', delay, () => this.openUpstream());
  }

  private onUpstreamEnd(id: number, err: Error | undefined): void {
    if (this.upstream?.id !== id) return;
    this.upstream = undefined;
    this.clear('silence');
    this.env.logger.debug('subscribe call ended', { subscriptionId: this.target.subscriptionId, err });
    this.env.metrics.subscribeUpstreamRestarted();
    this.scheduleReopen();
  }

  private onUpstreamMessage(id: number, m: SubscribeMessage__Output): void {
    if (this.upstream?.id !== id || this.ended) return;
    this.arm('silence', this.env.settings.upstreamSilenceMs, () => this.restartUpstream('silent'));
    if (m.error !== 'OK') {
      // The node cannot serve this shard (any more): go where the view names the leader, after a short wait.
      this.restartUpstream(m.error);
      return;
    }
    this.retryMs = UPSTREAM_RETRY_MS_MIN;
    this.highWatermark = Math.max(this.highWatermark, Number(m.high_watermark));
    const logStart = Number(m.log_start_offset);
    for (const r of m.records) {
      const offset = Number(r.offset);
      if (offset < this.received) continue;
      if (offset > this.received && this.received >= logStart) {
        // A gap the log does not explain (only trimming may skip records): never deliver past it.
        this.env.logger.error('subscribe call skipped records', { subscriptionId: this.target.subscriptionId, expected: this.received, got: offset });
        this.restartUpstream('gap');
        break;
      }
      this.queue.push(r);
      this.queueBytes += recordBytes(r);
      this.received = offset + 1;
    }
    if (this.queueBytes >= this.env.settings.bufferBytesMax && this.upstream) {
      this.pausedForBuffer = true;
      this.closeUpstream();
    }
    this.flush();
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
    if (this.pausedForBuffer && !this.upstream && this.queueBytes <= this.env.settings.bufferBytesMax / 2) {
      this.pausedForBuffer = false;
      this.openUpstream();
    }
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
    const behind = millisBehindLatest(this.next, this.highWatermark, this.env.now(), arrival);
    const stream = this.env.view.streamById(this.target.streamId)?.value;
    if (stream) this.env.metrics.recordSubscribeEvent(stream, this.target.consumerName, this.target.shardId, { records: records.length, bytes }, behind);
    const presenter = this.currentPresenter();
    if (!presenter) return;
    this.write(subscribeToShardEventMessage(this.codec, recordsEvent(presenter, records, this.next, this.lastSent, behind)));
    this.armIdle();
  }

  private armIdle(): void {
    this.arm('idle', this.env.settings.idleEventMs, () => {
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
    for (const handle of this.timers.values()) this.env.timers.clear(handle);
    this.timers.clear();
    this.closeUpstream();
    this.queue.length = 0;
    this.queueBytes = 0;
    this.sink?.end();
    this.env.ended(this);
  }

  private arm(name: 'session' | 'idle' | 'silence' | 'reopen', ms: number, fn: () => void): void {
    this.clear(name);
    if (this.ended) return;
    this.timers.set(name, this.env.timers.set(() => { this.timers.delete(name); fn(); }, ms));
  }

  private clear(name: 'session' | 'idle' | 'silence' | 'reopen'): void {
    const handle = this.timers.get(name);
    if (handle !== undefined) this.env.timers.clear(handle);
    this.timers.delete(name);
  }
}

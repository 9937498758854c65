/**
 * The Subscribe call (enhanced fan-out) at a shard leader, built only on
 * ShardReader: from an offset it sends the committed records as the high
 * watermark moves (woken by onChange, never by polling), paced to the
 * call's bytes per second when the node enforces throughput limits (the
 * replica has a read limiter; `--limits off` turns both off), with a
 * heartbeat (high watermark, no records) when nothing moved for
 * SUBSCRIBE_HEARTBEAT_MS.
 *
 * Bounded: at most SUBSCRIPTIONS_PER_NODE_MAX calls per node; per call at
 * most SUBSCRIBE_MESSAGES_IN_FLIGHT_MAX messages of at most max_bytes of
 * records are handed to gRPC and not yet written to the transport (gRPC and
 * HTTP/2 flow control hold the rest back: write() false -> wait for
 * 'drain'). Nothing is read ahead of what can be sent.
 *
 * A call ends with a last message whose error is set: NOT_LEADER when the
 * replica is not (or stops being) the leader or closes, SHARD_NOT_FOUND when
 * the node holds no replica, TOO_MANY_SUBSCRIPTIONS at the node bound,
 * INTERNAL when a read fails. The api resumes on the leader its view names
 * from the offset after the last record it got. A cancelled call just stops.
 */
import type * as grpc from '@grpc/grpc-js';
import { TokenBucket, type BatchRecord } from '@shoal/core';
import type { ErrorCode, Logger, RecordOut, SubscribeMessage, SubscribeRequest__Output } from '@shoal/wire';
import type { ShardReader, ShardRef } from './shard-reader';
import {
  SUBSCRIBE_HEARTBEAT_MS, SUBSCRIBE_MESSAGE_BYTES_DEFAULT, SUBSCRIBE_MESSAGE_BYTES_MAX, SUBSCRIBE_MESSAGES_IN_FLIGHT_MAX, SUBSCRIPTIONS_PER_NODE_MAX,
} from './storage-limits';

export type SubscribeCall = grpc.ServerWritableStream<SubscribeRequest__Output, SubscribeMessage>;

/** Wait before reading again when the reader had nothing at an offset below the high watermark (it should not happen; never spin). */
const READ_RETRY_MS = 50;

export interface SubscriptionLimits {
  readonly subscriptionsMax: number;
  readonly messagesInFlightMax: number;
  readonly heartbeatMs: number;
}

export interface ShardSubscriptionsDeps {
  /** The read side of this node's replica of a shard, if it holds one. */
  readonly lookup: (ref: ShardRef) => ShardReader | undefined;
  /** Milliseconds for pacing (a monotonic clock). */
  readonly clock: () => number;
  readonly logger: Logger;
  readonly limits?: Partial<SubscriptionLimits>;
}

/** The node's Subscribe calls: admission against the node bound, one pump per call. */
export class ShardSubscriptions {
  private active = 0;
  private readonly limits: SubscriptionLimits;

  constructor(private readonly deps: ShardSubscriptionsDeps) {
    this.limits = {
      subscriptionsMax: deps.limits?.subscriptionsMax ?? SUBSCRIPTIONS_PER_NODE_MAX,
      messagesInFlightMax: deps.limits?.messagesInFlightMax ?? SUBSCRIBE_MESSAGES_IN_FLIGHT_MAX,
      heartbeatMs: deps.limits?.heartbeatMs ?? SUBSCRIBE_HEARTBEAT_MS,
    };
  }

  /** Calls being served now. */
  size(): number {
    return this.active;
  }

  /** The gRPC handler of Subscribe. */
  handle(call: SubscribeCall): void {
    const req = call.request;
    const ref = { streamId: req.shard?.stream_id ?? '', shardId: req.shard?.shard_id ?? '' };
    if (this.active >= this.limits.subscriptionsMax) {
      endWith(call, 'TOO_MANY_SUBSCRIPTIONS', `this node serves ${this.limits.subscriptionsMax} subscriptions`, 0, 0);
      return;
    }
    const reader = this.deps.lookup(ref);
    if (!reader) {
      endWith(call, 'SHARD_NOT_FOUND', 'this node holds no replica of the shard', 0, 0);
      return;
    }
    this.active++;
    const pump = new SubscriptionPump(reader, call, this.limits, this.deps.clock);
    pump.run().then(
      () => { this.active--; },
      (err: unknown) => {
        this.active--;
        this.deps.logger.error('subscription failed', { streamId: ref.streamId, shardId: ref.shardId, err });
        endWith(call, 'INTERNAL', err instanceof Error ? err.message : String(err), 0, 0);
      },
    );
  }
}

function endWith(call: SubscribeCall, error: ErrorCode, message: string, hw: number, logStart: number): void {
  if (call.cancelled || call.writableEnded) return;
  call.write({ error, error_message: message, records: [], high_watermark: hw, log_start_offset: logStart });
  call.end();
}

/** One Subscribe call: the loop that reads committed records and writes them, woken by the replica and the transport. */
class SubscriptionPump {
  private offset: number;
  private stopped = false;
  private inFlight = 0;
  private woken = false;
  private wake: (() => void) | undefined;
  private lastSentMs: number;
  private readonly bucket: TokenBucket | undefined;
  private readonly bytesPerSec: number;
  private readonly maxBytes: number;

  constructor(private readonly reader: ShardReader, private readonly call: SubscribeCall, private readonly limits: SubscriptionLimits, private readonly clock: () => number) {
    const req = call.request;
    this.offset = Number(req.from_offset);
    this.bytesPerSec = reader.readLimiter() !== undefined ? Number(req.bytes_per_sec) : 0;
    this.maxBytes = Math.min(req.max_bytes > 0 ? req.max_bytes : SUBSCRIBE_MESSAGE_BYTES_DEFAULT, SUBSCRIBE_MESSAGE_BYTES_MAX);
    // Capacity of one second: a subscription may burst its rate once, then is paced.
    this.bucket = this.bytesPerSec > 0 ? new TokenBucket({ ratePerSec: this.bytesPerSec, capacity: this.bytesPerSec }, clock()) : undefined;
    this.lastSentMs = clock();
  }

  async run(): Promise<void> {
    const { reader, call } = this;
    const signal = (): void => { this.woken = true; this.wake?.(); };
    const unsubscribe = reader.onChange(signal);
    const onCancel = (): void => { this.stopped = true; signal(); };
    call.on('cancelled', onCancel);
    call.on('drain', signal);
    try {
      const why = await this.loop();
      if (why) endWith(call, 'NOT_LEADER', why, reader.highWatermark(), reader.logStartOffset());
    } finally {
      unsubscribe();
      call.off('cancelled', onCancel);
      call.off('drain', signal);
    }
  }

  /** Sends until cancelled (undefined) or until the replica cannot serve any more (the reason). */
  private async loop(): Promise<string | undefined> {
    const { reader, call } = this;
    while (!this.stopped && !call.cancelled) {
      this.woken = false;
      if (reader.isClosed()) return 'the replica closed';
      if (reader.role() !== 'leader') return 'this node is not the shard leader';
      let waitMs = this.limits.heartbeatMs;
      if (this.inFlight < this.limits.messagesInFlightMax && !call.writableNeedDrain) {
        const hw = reader.highWatermark();
        this.offset = Math.max(this.offset, reader.logStartOffset());
        const now = this.clock();
        const tokens = this.bucket?.available(now) ?? Infinity;
        if (this.offset < hw && tokens > 0) {
          if (await this.sendRecords(hw, Math.min(this.maxBytes, tokens))) continue;
          // Nothing readable at the offset (the read view lags the high watermark): wait for the next change, never spin.
          waitMs = READ_RETRY_MS;
        } else if (this.offset < hw) {
          // In debt: wait until the bucket holds tokens again.
          waitMs = Math.ceil((-tokens * 1000) / this.bytesPerSec) + 1;
        } else if (now - this.lastSentMs >= this.limits.heartbeatMs) {
          this.send([], hw);
          continue;
        } else {
          waitMs = this.limits.heartbeatMs - (now - this.lastSentMs);
        }
      }
      await this.sleep(Math.max(1, waitMs));
    }
    return undefined;
  }

  /** Reads committed records from the current offset (about `budget` bytes, at least one) and writes them as one message; false when none was there. */
  private async sendRecords(hw: number, budget: number): Promise<boolean> {
    const batches = await this.reader.batchesFrom(this.offset, hw, budget);
    const records: RecordOut[] = [];
    let bytes = 0;
    let last = -1;
    outer: for (const batch of batches) {
      for (const r of batch.records(Math.max(this.offset, batch.header.firstOffset))) {
        if (r.offset < this.offset) continue;
        const size = recordBytes(r);
        if (r.offset >= hw || (records.length > 0 && bytes + size > budget)) break outer;
        records.push({ offset: r.offset, arrival_ms: r.arrivalMs, partition_key: r.partitionKey, data: r.data });
        bytes += size;
        last = r.offset;
      }
    }
    if (records.length === 0) return false;
    if (this.stopped || this.call.cancelled) return true;
    this.offset = last + 1;
    this.bucket?.takeWithDebt(bytes, this.clock());
    this.send(records, hw);
    return true;
  }

  private send(records: RecordOut[], hw: number): void {
    this.inFlight++;
    this.lastSentMs = this.clock();
    this.call.write({ error: 'OK', error_message: '', records, high_watermark: hw, log_start_offset: this.reader.logStartOffset() }, () => {
      this.inFlight--;
      this.woken = true;
      this.wake?.();
    });
  }

  /** Waits for a wake-up (replica change, drain, write done, cancel) or `ms`, whichever comes first. */
  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => { clearTimeout(timer); this.wake = undefined; resolve(); };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function recordBytes(r: BatchRecord): number {
  return r.data.length + Buffer.byteLength(r.partitionKey, 'utf8');
}

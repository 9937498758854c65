/**
 * Bounds and timers of SubscribeToShard in one api process (units last).
 * Kinesis' session rules come from @shoal/core limits; the api flags
 * (main.ts, docs/fan-out.md) override the timers for tests (a short session)
 * and the bounds for operators.
 */
import { limits } from '@shoal/core';

/** Subscriptions one api process serves at once; more answer LimitExceededException. */
export const SUBSCRIPTIONS_PER_API_MAX = 1_000;
/**
 * Record bytes a subscription holds that the client has not taken yet. Past
 * it the subscription stops its storage call and reopens it from the next
 * offset once the client has drained half: a slow client costs this much
 * (plus one storage message), never more.
 */
export const SUBSCRIPTION_BUFFER_BYTES_MAX = 4 * 1024 * 1024;
/**
 * Record bytes (data + partition key) in one SubscribeToShardEvent; a larger
 * record goes alone. A client decodes an event only once all of it arrived,
 * and the JS SDK's HTTP/2 client lets 64 KiB through per round trip (Node's
 * default window): in JSON (base64 data, about 1.5 bytes on the wire per
 * record byte) an event of 64 KiB of records is about 1.5 windows, where
 * 256 KiB took 6 round trips before the first of its records could be shown.
 * Per-event costs (a frame, a parse) stay small next to the records'.
 */
export const SUBSCRIPTION_EVENT_BYTES_MAX = 64 * 1024;
/**
 * Record bytes a shard feed (shard-feed.ts) keeps behind its position, so a
 * subscription a little behind the tail (one that drained its buffer, one
 * that resubscribes after its continuation) shares the feed's storage call
 * instead of opening its own.
 */
export const FEED_HISTORY_BYTES_MAX = 1024 * 1024;
/** An event (maybe without records) when none was sent for this long; Kinesis sends one at least every 5 s. */
export const SUBSCRIPTION_IDLE_EVENT_MS = 2_000;
/** Record bytes the storage node puts in one Subscribe message. */
export const UPSTREAM_MESSAGE_BYTES = 256 * 1024;
/** A storage Subscribe call that says nothing for this long is reopened (nodes send a heartbeat every second). */
export const UPSTREAM_SILENCE_MS = 5_000;
/** Delay before reopening a storage call that failed, doubling up to the max while it keeps failing. */
export const UPSTREAM_RETRY_MS_MIN = 100;
export const UPSTREAM_RETRY_MS_MAX = 2_000;

export interface FanOutSettings {
  /** A subscription ends after this long (Kinesis: 5 minutes). */
  readonly sessionMs: number;
  /** Longest time without an event. */
  readonly idleEventMs: number;
  /** Seconds after a successful SubscribeToShard during which another for the same consumer and shard is refused. */
  readonly takeoverSec: number;
  /** Delivery rate of one subscription. */
  readonly bytesPerSec: number;
  readonly subscriptionsMax: number;
  readonly bufferBytesMax: number;
  readonly eventBytesMax: number;
  readonly feedHistoryBytes: number;
  readonly upstreamMessageBytes: number;
  readonly upstreamSilenceMs: number;
}

export const FAN_OUT_DEFAULTS: FanOutSettings = {
  sessionMs: limits.SUBSCRIPTION_SESSION_MS,
  idleEventMs: SUBSCRIPTION_IDLE_EVENT_MS,
  takeoverSec: limits.SUBSCRIPTION_TAKEOVER_MS / 1000,
  bytesPerSec: limits.SUBSCRIPTION_BYTES_PER_SEC,
  subscriptionsMax: SUBSCRIPTIONS_PER_API_MAX,
  bufferBytesMax: SUBSCRIPTION_BUFFER_BYTES_MAX,
  eventBytesMax: SUBSCRIPTION_EVENT_BYTES_MAX,
  feedHistoryBytes: FEED_HISTORY_BYTES_MAX,
  upstreamMessageBytes: UPSTREAM_MESSAGE_BYTES,
  upstreamSilenceMs: UPSTREAM_SILENCE_MS,
};

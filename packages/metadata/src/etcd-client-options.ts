/**
 * Options of the etcd3 client every process uses (MetadataStore).
 *
 * The library defaults hurt availability (chaos az-outage and zombie-leader):
 *
 * - A deadline in `defaultCallOptions` also applies to the long-lived
 *   streams (watch, lease keepalive): each died every call timeout, and
 *   each death reset the whole gRPC channel (killing the other streams)
 *   and counted as a host failure.
 * - The per-host circuit breaker opens after 3 consecutive failures and
 *   then refuses every call for 5 s, lease keepalives included: a quiet
 *   process (a standby controller) tripped it on those stream deaths
 *   alone and lost its lease; after a partition it delayed registration
 *   and commits by 5 s. With one etcd endpoint there is no other host to
 *   fail over to, so the breaker only adds downtime.
 * - The watch reconnect backoff grows to 30 s, so a watch that failed a
 *   few times (breaker open, partition) left the view stale for seconds
 *   after etcd was reachable again.
 *
 * So: a deadline on unary calls only; no breaker; a short, capped watch
 * backoff; HTTP/2 keepalives to find a dead connection (a stream without a
 * deadline would otherwise wait on it forever); quick reconnects.
 */
import { ExponentialBackoff, noop } from 'cockatiel';
import type { IOptions } from 'etcd3';
import { timingInterceptor, type CallObserver } from '@shoal/wire';

/** First wait before re-opening a failed watch stream. */
export const WATCH_BACKOFF_INITIAL_MS = 100;
/** Longest wait before re-opening a failed watch stream (library default: 30 s). */
export const WATCH_BACKOFF_MAX_MS = 1_000;
/**
 * HTTP/2 ping period and ack deadline on the etcd channel: a connection
 * silent this long is closed and its streams fail, so they reconnect.
 * etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time).
 */
export const ETCD_KEEPALIVE_TIME_MS = 10_000;
export const ETCD_KEEPALIVE_TIMEOUT_MS = 5_000;
/** Reconnect backoff of the etcd channel (gRPC default: 1 s growing to 120 s). */
export const ETCD_RECONNECT_BACKOFF_INITIAL_MS = 200;
export const ETCD_RECONNECT_BACKOFF_MAX_MS = 1_000;

/** What the client tells the call-options factory about a call. */
export interface CallContext {
  readonly isStream: boolean;
}

/** Call options: a deadline `timeoutMs` from `nowMs` for unary calls, none for streams. */
export function etcdCallOptions(context: CallContext, timeoutMs: number, nowMs: number): { deadline?: Date } {
  return context.isStream ? {} : { deadline: new Date(nowMs + timeoutMs) };
}

/**
 * Client options for `hosts` (already mapped by the dial hook), unary calls
 * bounded by `callTimeoutMs`, each told to `observe` when it ends (if given).
 */
export function etcdClientOptions(hosts: string[], callTimeoutMs: number, observe?: CallObserver): IOptions {
  return {
    hosts,
    defaultCallOptions: (context: CallContext) => etcdCallOptions(context, callTimeoutMs, Date.now()),
    faultHandling: {
      host: () => noop,
      // etcd3 calls next() on this for each reconnect series (it wants a backoff, not a factory).
      watchBackoff: new ExponentialBackoff({ initialDelay: WATCH_BACKOFF_INITIAL_MS, maxDelay: WATCH_BACKOFF_MAX_MS }).next(),
    },
    grpcOptions: {
      'grpc.keepalive_time_ms': ETCD_KEEPALIVE_TIME_MS,
      'grpc.keepalive_timeout_ms': ETCD_KEEPALIVE_TIMEOUT_MS,
      'grpc.initial_reconnect_backoff_ms': ETCD_RECONNECT_BACKOFF_INITIAL_MS,
      'grpc.max_reconnect_backoff_ms': ETCD_RECONNECT_BACKOFF_MAX_MS,
      // grpc-js Client options (it copies them before taking these out): every service client of the pool gets them.
      ...(observe ? { interceptors: [timingInterceptor(observe)] } : {}),
    },
  };
}

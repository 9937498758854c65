/**
 * History lines of enhanced fan-out subscribers (see history-format.ts for
 * the common conventions: JSONL, harness epoch ms, decimal strings):
 *
 *   subscriptions.jsonl
 *     SubscriptionCall: one line per SubscribeToShard call, written when it
 *       ends: outcome ok (the event stream opened; `end` says how it ended)
 *       or fail (refused before any event: ResourceInUseException within the
 *       takeover window, a transport error, ...).
 *     SubscriptionEvent: one line per SubscribeToShardEvent received, in
 *       arrival order, with its records.
 *
 * A session is one subscriber's reading of one shard from TRIM_HORIZON:
 * successive calls continue each other (AFTER_SEQUENCE_NUMBER of the last
 * ContinuationSequenceNumber), as the KCL does, until the shard ends
 * (ChildShards) or the subscriber stops.
 */
import type { ReadRecord } from './history-format';

export const FANOUT_FILES = { subscriptions: 'subscriptions.jsonl' } as const;

export interface SubscriptionCall {
  readonly type: 'subscribe';
  /** Consumer name (one subscriber per consumer). */
  readonly consumer: string;
  readonly session: string;
  /** Unique per call. */
  readonly call: string;
  readonly api: number;
  readonly shardId: string;
  /** The continuation it started after; null = TRIM_HORIZON. */
  readonly after: string | null;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: 'ok' | 'fail';
  readonly error?: string;
  /** How an opened stream ended: the server ended it (session end), the shard ended, an error (event or transport), or the subscriber stopped. */
  readonly end?: 'complete' | 'shard-end' | 'error' | 'stopped';
  readonly events: number;
}

export interface SubscriptionEvent {
  readonly type: 'sub-event';
  readonly consumer: string;
  readonly session: string;
  readonly call: string;
  readonly shardId: string;
  readonly atMs: number;
  readonly records: readonly ReadRecord[];
  /** Absent exactly when the shard ended (then childShards is set). */
  readonly continuation?: string;
  readonly millisBehindLatest?: number;
  readonly childShards?: ReadonlyArray<{ readonly shardId: string; readonly parentShards: readonly string[] }>;
}

export type SubscriptionLine = SubscriptionCall | SubscriptionEvent;

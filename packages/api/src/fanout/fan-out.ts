/**
 * The subscriptions of one api process: admission against
 * subscriptionsMax (a slot is reserved before the etcd claim and taken by
 * the subscription), and the routing of metadata changes to them: a shard
 * record change (new leader, end of shard), a consumer deregistered or a
 * stream deleted (the subscription ends), and a newer claim of the same
 * consumer and shard by any api process (takeover: the old subscription
 * ends with ResourceInUseException).
 */
import type { MetadataChange } from '@shoal/metadata';
import type { ResponseStream } from '../operation';
import type { Codec } from '../protocol/codec';
import type { FanOutSettings } from './fan-out-settings';
import type { FeedEnv } from './shard-feed';
import { ShardFeeds } from './shard-feeds';
import { Subscription, type SubscriptionEnv, type SubscriptionTarget } from './subscription';

/** What operations use of the process' fan-out (SubscribeToShard). */
export interface FanOutPort {
  /** Identifies this api process in subscription claims. */
  readonly apiId: string;
  readonly settings: FanOutSettings;
  /** Takes a slot for a subscription about to start; false when the process serves its most. */
  reserve(): boolean;
  /** Gives back a reserved slot that was not used. */
  release(): void;
  /** Starts a subscription on a reserved slot; its body is the returned stream. */
  open(target: SubscriptionTarget, codec: Codec): ResponseStream;
}

export class FanOut implements FanOutPort {
  private reserved = 0;
  private readonly byStream = new Map<string, Set<Subscription>>();
  private count = 0;
  private readonly feeds: ShardFeeds;

  constructor(readonly apiId: string, private readonly env: Omit<SubscriptionEnv, 'ended' | 'feeds'> & FeedEnv) {
    this.feeds = new ShardFeeds(env);
  }

  get settings(): FanOutSettings {
    return this.env.settings;
  }

  /** Subscriptions open now. */
  size(): number {
    return this.count;
  }

  /** Storage Subscribe calls the subscriptions share now (one per shard and position). */
  feedCount(): number {
    return this.feeds.size();
  }

  reserve(): boolean {
    if (this.count + this.reserved >= this.env.settings.subscriptionsMax) return false;
    this.reserved++;
    return true;
  }

  release(): void {
    if (this.reserved > 0) this.reserved--;
  }

  open(target: SubscriptionTarget, codec: Codec): ResponseStream {
    this.release();
    const subscription = new Subscription(target, codec, { ...this.env, feeds: this.feeds, ended: (s) => this.forget(s) });
    let set = this.byStream.get(target.streamId);
    if (!set) this.byStream.set(target.streamId, (set = new Set()));
    set.add(subscription);
    this.count++;
    this.env.metrics.setSubscriptionsOpen(this.count);
    return subscription;
  }

  /** Routes one change of the metadata view (call from MetadataStore.onChange). */
  onMetadataChange(change: MetadataChange): void {
    if (change.kind !== 'shard' && change.kind !== 'consumer' && change.kind !== 'stream' && change.kind !== 'subscription') return;
    const streamId = change.kind === 'stream' ? change.value?.value.streamId : change.streamId;
    if (change.kind === 'stream' && !change.value) {
      // A stream record removed: end the subscriptions of every stream no longer in the view.
      for (const id of [...this.byStream.keys()]) if (!this.env.view.streamById(id)) this.each(id, (s) => s.end());
      return;
    }
    if (streamId === undefined) return;
    switch (change.kind) {
      case 'shard':
        this.feeds.shardChanged(streamId, change.shardId);
        this.each(streamId, (s) => { if (s.target.shardId === change.shardId) s.shardChanged(); });
        return;
      case 'stream':
        if (change.value?.value.status === 'DELETING') this.each(streamId, (s) => s.end());
        return;
      case 'consumer':
        if (change.value?.value.status === 'ACTIVE') return;
        this.each(streamId, (s) => { if (s.target.consumerName === change.consumerName) s.end(); });
        return;
      case 'subscription': {
        const claim = change.value;
        if (!claim) return;
        this.each(streamId, (s) => {
          const t = s.target;
          if (t.consumerName === change.consumerName && t.shardId === change.shardId && t.subscriptionId !== claim.subscriptionId) {
            s.fail('ResourceInUseException', `Another subscription of consumer ${t.consumerArn} to shard ${t.shardId} took over.`);
          }
        });
      }
    }
  }

  /** Ends every subscription (the process stops; clients subscribe again elsewhere). */
  close(): void {
    for (const id of [...this.byStream.keys()]) this.each(id, (s) => s.end());
    this.feeds.close();
  }

  private each(streamId: string, fn: (s: Subscription) => void): void {
    const set = this.byStream.get(streamId);
    if (set) for (const s of [...set]) fn(s);
  }

  private forget(s: Subscription): void {
    const set = this.byStream.get(s.target.streamId);
    if (!set?.delete(s)) return;
    if (set.size === 0) this.byStream.delete(s.target.streamId);
    this.count--;
    this.env.metrics.setSubscriptionsOpen(this.count);
  }
}

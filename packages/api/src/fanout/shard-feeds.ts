/**
 * The shard feeds of one api process (shard-feed.ts): a reader joins a feed
 * of its shard that covers its position, or a new feed opened there. Two
 * feeds of one shard are kept apart only while their positions are: when
 * one feed advances so that it covers the position of another's readers
 * (a subscription that caught up with the tail, one that joined at LATEST
 * just ahead of the records in flight), those readers move to it and the
 * other feed closes. So the consumers reading a shard's tail share one
 * storage call, and one that reads far behind has its own.
 */
import type { FeedEnv, FeedEvents, FeedReader } from './shard-feed';
import { ShardFeed } from './shard-feed';

function shardKey(streamId: string, shardId: string): string {
  return `${streamId}/${shardId}`;
}

export class ShardFeeds implements FeedEvents {
  private readonly byShard = new Map<string, Set<ShardFeed>>();
  private readonly feedOf = new Map<FeedReader, ShardFeed>();
  private feeds = 0;

  constructor(private readonly env: FeedEnv) {}

  /** Feeds open now (storage Subscribe calls wanted). */
  size(): number {
    return this.feeds;
  }

  /** Joins `reader` (at its position) to a feed of the shard; it must not be in one. */
  join(reader: FeedReader, streamId: string, shardId: string): void {
    if (this.feedOf.has(reader)) throw new Error('reader already in a feed');
    const key = shardKey(streamId, shardId);
    let set = this.byShard.get(key);
    if (!set) this.byShard.set(key, (set = new Set()));
    let feed = [...set].find((f) => f.covers(reader.position()));
    if (!feed) {
      feed = new ShardFeed(streamId, shardId, reader.position(), this.env, this);
      set.add(feed);
      this.feeds++;
      this.env.metrics.setSubscribeFeedsOpen(this.feeds);
    }
    this.feedOf.set(reader, feed);
    feed.join(reader);
  }

  /** Takes `reader` out of its feed, if it is in one. */
  leave(reader: FeedReader): void {
    const feed = this.feedOf.get(reader);
    if (!feed) return;
    this.feedOf.delete(reader);
    feed.leave(reader);
  }

  /** The shard's record changed (a new leader): its feeds follow. */
  shardChanged(streamId: string, shardId: string): void {
    const set = this.byShard.get(shardKey(streamId, shardId));
    if (set) for (const feed of [...set]) feed.shardChanged();
  }

  /** Closes every feed (the process stops). */
  close(): void {
    for (const set of [...this.byShard.values()]) for (const feed of [...set]) feed.close();
  }

  advanced(feed: ShardFeed): void {
    const set = this.byShard.get(shardKey(feed.streamId, feed.shardId));
    if (!set) return;
    for (const other of [...set]) {
      if (other === feed) continue;
      // Either the feed caught up with the other's readers, or the other reaches back to the feed's.
      this.move(other, feed);
      this.move(feed, other);
    }
  }

  /** Moves the readers of `from` whose position `to` covers into `to`. */
  private move(from: ShardFeed, to: ShardFeed): void {
    for (const reader of from.members()) {
      if (!to.covers(reader.position()) || this.feedOf.get(reader) !== from) continue;
      this.feedOf.set(reader, to);
      from.leave(reader);
      to.join(reader);
    }
  }

  closed(feed: ShardFeed): void {
    const key = shardKey(feed.streamId, feed.shardId);
    const set = this.byShard.get(key);
    if (!set?.delete(feed)) return;
    if (set.size === 0) this.byShard.delete(key);
    this.feeds--;
    this.env.metrics.setSubscribeFeedsOpen(this.feeds);
    for (const reader of feed.members()) if (this.feedOf.get(reader) === feed) this.feedOf.delete(reader);
  }
}

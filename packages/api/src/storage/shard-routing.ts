/**
 * Which open shard of a stream takes a hash key, from the cluster view.
 * The router (core's createShardRouter) is built once per version of the
 * stream's shard set and cached; the cache is bounded.
 */
import { createShardRouter, type ShardRange } from '@shoal/core';
import { type ClusterView, isOpenShard, type ShardRecord } from '@shoal/metadata';

const ROUTER_CACHE_MAX = 1024;

interface CachedRouter {
  readonly version: string;
  readonly route: (hashKey: bigint) => ShardRange | undefined;
}

export class ShardRouting {
  private readonly cache = new Map<string, CachedRouter>();

  constructor(private readonly view: ClusterView) {}

  /** The open shard of `streamId` whose range holds `hashKey`, or undefined (none in the view right now). */
  shardFor(streamId: string, hashKey: bigint): ShardRecord | undefined {
    return this.resolver(streamId)(hashKey);
  }

  /**
   * shardFor for many keys of one stream, as the view is now: the shard set
   * is looked at once, not once per key (a PutRecords routes up to 500).
   */
  resolver(streamId: string): (hashKey: bigint) => ShardRecord | undefined {
    const shards = this.view.shards.get(streamId);
    if (!shards) return () => undefined;
    const route = this.routerFor(streamId, shards);
    return (hashKey) => {
      const range = route(hashKey);
      return range ? shards.get(range.shardId)?.value : undefined;
    };
  }

  private routerFor(streamId: string, shards: ReadonlyMap<string, { value: ShardRecord; modRevision: string }>): CachedRouter['route'] {
    // Shard ids never change meaning within a stream id; a range or state changes with the record's revision.
    let version = '';
    for (const s of shards.values()) version += `${s.value.shardId}@${s.modRevision},`;
    const cached = this.cache.get(streamId);
    if (cached && cached.version === version) return cached.route;
    const ranges: ShardRange[] = [...shards.values()].map(({ value }) => ({
      shardId: value.shardId,
      start: BigInt(value.hashKeyStart),
      end: BigInt(value.hashKeyEnd),
      open: isOpenShard(value),
    }));
    const route = createShardRouter(ranges);
    this.cache.delete(streamId);
    if (this.cache.size >= ROUTER_CACHE_MAX) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(streamId, { version, route });
    return route;
  }
}

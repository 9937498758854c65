/**
 * A map keyed by (stream id, shard id) as two nested maps: lookups come per
 * shard of every message and every append, and nested maps find an entry
 * without building a key string each time. A stream's inner map goes once
 * it is empty, so the size stays bounded by the entries held.
 */
export class ShardMap<V> {
  private readonly byStream = new Map<string, Map<string, V>>();
  private count = 0;

  get size(): number { return this.count; }

  get(streamId: string, shardId: string): V | undefined { return this.byStream.get(streamId)?.get(shardId); }

  set(streamId: string, shardId: string, value: V): void {
    let shards = this.byStream.get(streamId);
    if (!shards) this.byStream.set(streamId, (shards = new Map()));
    if (!shards.has(shardId)) this.count++;
    shards.set(shardId, value);
  }

  /** Removes the entry; true if there was one. */
  delete(streamId: string, shardId: string): boolean {
    const shards = this.byStream.get(streamId);
    if (!shards?.delete(shardId)) return false;
    this.count--;
    if (shards.size === 0) this.byStream.delete(streamId);
    return true;
  }

  *values(): IterableIterator<V> { for (const shards of this.byStream.values()) yield* shards.values(); }
}

/**
 * The shard map of one stream: which shard owns which inclusive range of
 * the 128-bit hash key space. Closed shards (parents of a split or merge)
 * keep their ranges for reads; only open shards take writes, and the open
 * shards must tile [0, 2^128 - 1] exactly (no gap, no overlap).
 */
import { HASH_KEY_MAX } from './hash-key';

/** A shard's inclusive hash key range and whether it still takes writes. */
export interface ShardRange {
  shardId: string;
  start: bigint;
  end: bigint;
  open: boolean;
}

/**
 * The open shard whose range holds `hashKey`, or undefined (no such shard,
 * or a key outside [0, 2^128 - 1]). A plain scan: O(shards). For many
 * lookups against one map use createShardRouter.
 */
export function findOpenShard(shards: readonly ShardRange[], hashKey: bigint): ShardRange | undefined {
  if (hashKey < 0n || hashKey > HASH_KEY_MAX) return undefined;
  for (const shard of shards) {
    if (shard.open && hashKey >= shard.start && hashKey <= shard.end) return shard;
  }
  return undefined;
}

/**
 * A lookup equivalent to findOpenShard for a map whose open shards do not
 * overlap, in O(log shards) per key: the open shards sorted by start, then
 * binary search. Build it once per map version (e.g. per ClusterView change).
 */
export function createShardRouter(shards: readonly ShardRange[]): (hashKey: bigint) => ShardRange | undefined {
  const open = shards.filter((s) => s.open).sort(compareByStart);
  return (hashKey: bigint): ShardRange | undefined => {
    if (hashKey < 0n || hashKey > HASH_KEY_MAX) return undefined;
    // Find the last open shard whose start <= hashKey.
    let low = 0;
    let high = open.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if ((open[mid] as ShardRange).start <= hashKey) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    const candidate = found >= 0 ? open[found] : undefined;
    return candidate !== undefined && hashKey <= candidate.end ? candidate : undefined;
  };
}

/**
 * undefined if `open` (the open shards of one stream) covers [0, 2^128 - 1]
 * exactly, each key by one shard; else a sentence naming the first problem
 * found (for assertions and the controller's refusal messages).
 */
export function checkTiling(open: readonly ShardRange[]): string | undefined {
  if (open.length === 0) return 'no open shards';
  for (const shard of open) {
    const problem = checkRange(shard);
    if (problem !== undefined) return problem;
  }
  const sorted = [...open].sort(compareByStart);
  const first = sorted[0] as ShardRange;
  if (first.start !== 0n) return `gap: no open shard covers [0, ${first.start - 1n}]`;
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as ShardRange;
    const current = sorted[i] as ShardRange;
    if (current.start <= previous.end) {
      return `overlap: ${previous.shardId} [${previous.start}, ${previous.end}] and ${current.shardId} [${current.start}, ${current.end}]`;
    }
    if (current.start !== previous.end + 1n) {
      return `gap: no open shard covers [${previous.end + 1n}, ${current.start - 1n}] between ${previous.shardId} and ${current.shardId}`;
    }
  }
  const last = sorted[sorted.length - 1] as ShardRange;
  if (last.end !== HASH_KEY_MAX) return `gap: no open shard covers [${last.end + 1n}, ${HASH_KEY_MAX}]`;
  return undefined;
}

function checkRange(shard: ShardRange): string | undefined {
  if (!shard.open) return `${shard.shardId} is closed`;
  if (shard.start < 0n || shard.end > HASH_KEY_MAX) return `${shard.shardId} range [${shard.start}, ${shard.end}] is outside [0, ${HASH_KEY_MAX}]`;
  if (shard.start > shard.end) return `${shard.shardId} range is empty: start ${shard.start} > end ${shard.end}`;
  return undefined;
}

function compareByStart(a: ShardRange, b: ShardRange): number {
  if (a.start === b.start) return 0;
  return a.start < b.start ? -1 : 1;
}

/**
 * Where `tail` starts in each shard, pure. The shards the walk begins with
 * start at the position the user asked for (or a per-shard one, for the
 * shard that holds a --from sequence number). A child starts at its
 * TRIM_HORIZON when one of its parents was read from a position (not a
 * time): everything in the child came after the parent's end, so nothing
 * is skipped or repeated. Below parents read from a time, the child is read
 * from the same time, so `--from TIME` means "every record that arrived at
 * or after TIME" in every shard.
 */
import type { ReadyShard } from '../shard-lineage';
import type { ShardPosition } from '../start-position';

export class StartPlan {
  /** Shards started from a position (not a time). */
  private readonly anchored = new Set<string>();

  constructor(private readonly defaultPosition: ShardPosition, private readonly perShard: ReadonlyMap<string, ShardPosition> = new Map()) {}

  /** The position to read `ready` from; remembers it for the shard's children. */
  positionOf(ready: ReadyShard): ShardPosition {
    const afterParent = ready.readParents.some((p) => this.anchored.has(p));
    const position: ShardPosition = afterParent ? { type: 'TRIM_HORIZON' } : this.perShard.get(ready.shardId) ?? this.defaultPosition;
    if (position.type !== 'AT_TIMESTAMP') this.anchored.add(ready.shardId);
    return position;
  }
}

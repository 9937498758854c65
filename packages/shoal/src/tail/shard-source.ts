/**
 * How `shoal tail` reads one shard, whatever the transport: records go to
 * a sink in shard order, and the read ends at the shard's end (with its
 * children), when it is caught up (if asked to stop there), or when tail
 * stops. Polling (GetRecords) and enhanced fan-out (SubscribeToShard) both
 * implement it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildShard, _Record } from '@aws-sdk/client-kinesis';
import type { ShardNode } from '../shard-lineage';
import type { ShardPosition } from '../start-position';

export interface TailRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp?: Date;
  readonly data: Uint8Array;
}

export type ShardOutcome =
  | { readonly kind: 'ended'; readonly children: readonly ShardNode[] }
  | { readonly kind: 'caught-up' }
  | { readonly kind: 'stopped' };

export interface RecordSink {
  /** Takes a shard's next records in order; false when tail wants no more (its --limit is reached). */
  accept(records: readonly TailRecord[]): Promise<boolean>;
  /** Aborted when tail stops (limit reached, or another shard failed). */
  readonly signal: AbortSignal;
}

export interface ReadRequest {
  readonly shardId: string;
  readonly position: ShardPosition;
  /** Return 'caught-up' at the first answer that is at the tip of an open shard (tail without --follow). */
  readonly stopWhenCaughtUp: boolean;
}

export interface ShardSource {
  read(request: ReadRequest, sink: RecordSink): Promise<ShardOutcome>;
}

/** The SDK's records as tail records of a shard. */
export function tailRecords(shardId: string, records: readonly _Record[] | undefined): TailRecord[] {
  return (records ?? []).map((r) => ({
    shardId,
    sequenceNumber: r.SequenceNumber ?? '',
    partitionKey: r.PartitionKey ?? '',
    ...(r.ApproximateArrivalTimestamp ? { approximateArrivalTimestamp: r.ApproximateArrivalTimestamp } : {}),
    data: r.Data ?? new Uint8Array(0),
  }));
}

/** ChildShards (GetRecords, SubscribeToShard) as lineage nodes. */
export function childNodes(children: readonly ChildShard[]): ShardNode[] {
  return children.filter((c) => c.ShardId !== undefined).map((c) => ({
    shardId: c.ShardId!,
    parentShardId: c.ParentShards?.[0],
    adjacentParentShardId: c.ParentShards?.[1],
  }));
}

/** Waits `ms`; false (instead of throwing) when the signal aborts first. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/**
 * SplitShard and MergeShards through the api (the JS SDK), as the reshard
 * storm and the controller-crash steps send them: the choice of what to
 * split or merge is pure and seeded (chooseReshard, splitKey), and every
 * attempt is logged to reshards.jsonl with its outcome. A request refused
 * because another round runs (ResourceInUseException: stream UPDATING) or
 * over a rate (LimitExceededException) is expected under a storm: it is
 * retried, bounded, like an unknown outcome.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MergeShardsCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { isOpenShard } from '@shoal/metadata';
import { RESHARD_ATTEMPTS_MAX, RESHARD_RETRY_MS } from '../chaos-limits';
import type { Outcome, SnapshotShard } from '../history/history-format';
import type { HistoryWriter } from '../history/history-writer';
import { errorName, outcomeOf } from './outcome';
import type { SeededRandom } from './seeded-random';

export interface ReshardChoice {
  readonly op: 'split' | 'merge';
  /** Split: [ShardToSplit]; merge: [ShardToMerge, AdjacentShardToMerge]. */
  readonly shardIds: readonly string[];
  readonly newStartingHashKey?: string;
}

export interface OpenShardBounds {
  readonly min: number;
  readonly max: number;
}

/** Parts per million used for the seeded split point. */
const PPM = 1_000_000n;

/** A split point of `s`: its midpoint moved by up to a quarter of its width (seeded), inside Kinesis' bounds. */
export function splitKey(s: Pick<SnapshotShard, 'hashKeyStart' | 'hashKeyEnd'>, random: SeededRandom): bigint | undefined {
  const start = BigInt(s.hashKeyStart);
  const end = BigInt(s.hashKeyEnd);
  // Kinesis: StartingHashKey + 1 < NewStartingHashKey < EndingHashKey.
  if (end - start < 4n) return undefined;
  const ppm = PPM / 4n + BigInt(random.int(Number(PPM / 2n) + 1)); // [1/4, 3/4] of the width
  const key = start + ((end - start) * ppm) / PPM;
  return key < start + 2n ? start + 2n : key > end - 1n ? end - 1n : key;
}

/**
 * What to do next given the open shards (closed ones are ignored): split
 * at or below bounds.min open shards, merge at or above bounds.max, else
 * either (seeded); a split picks any open shard, a merge any adjacent pair
 * (lower shard as ShardToMerge: Kinesis refuses the other order).
 */
export function chooseReshard(shards: readonly SnapshotShard[], random: SeededRandom, bounds: OpenShardBounds): ReshardChoice | undefined {
  const open = shards.filter(isOpenShard).sort((a, b) => (BigInt(a.hashKeyStart) < BigInt(b.hashKeyStart) ? -1 : 1));
  if (open.length === 0) return undefined;
  const pairs: Array<[SnapshotShard, SnapshotShard]> = [];
  for (let i = 0; i + 1 < open.length; i++) {
    if (BigInt(open[i]!.hashKeyEnd) + 1n === BigInt(open[i + 1]!.hashKeyStart)) pairs.push([open[i]!, open[i + 1]!]);
  }
  const wantMerge = open.length >= bounds.max || (open.length > bounds.min && random.chance(0.5));
  if (wantMerge && pairs.length > 0) {
    const [a, b] = random.pick(pairs);
    return { op: 'merge', shardIds: [a.shardId, b.shardId] };
  }
  const parent = random.pick(open);
  const key = splitKey(parent, random);
  return key === undefined ? undefined : { op: 'split', shardIds: [parent.shardId], newStartingHashKey: key.toString() };
}

export interface ReshardSender {
  readonly streamName: string;
  readonly clients: readonly KinesisClient[];
  readonly history: HistoryWriter;
  readonly now: () => number;
  readonly random: SeededRandom;
  readonly stopped: () => boolean;
}

/** Errors after which the same request may succeed later (another round in progress, a rate, an unknown outcome). */
function retriable(error: string): boolean {
  return error === 'ResourceInUseException' || error === 'LimitExceededException' || outcomeOf(error) === 'info';
}

async function sendOnce(s: ReshardSender, api: number, c: ReshardChoice): Promise<void> {
  const client = s.clients[api]!;
  if (c.op === 'split') {
    await client.send(new SplitShardCommand({ StreamName: s.streamName, ShardToSplit: c.shardIds[0]!, NewStartingHashKey: c.newStartingHashKey! }));
  } else {
    await client.send(new MergeShardsCommand({ StreamName: s.streamName, ShardToMerge: c.shardIds[0]!, AdjacentShardToMerge: c.shardIds[1]! }));
  }
}

/** Sends `c` through a random api, retrying refusals (bounded); logs every attempt; the last attempt's outcome. */
export async function requestReshard(s: ReshardSender, c: ReshardChoice, source: string): Promise<{ outcome: Outcome; error?: string }> {
  let last: { outcome: Outcome; error?: string } = { outcome: 'fail', error: 'NotSent' };
  for (let attempt = 1; attempt <= RESHARD_ATTEMPTS_MAX && !s.stopped(); attempt++) {
    const api = s.random.int(s.clients.length);
    const base = {
      type: 'reshard', op: c.op, source, api, shardIds: c.shardIds,
      ...(c.newStartingHashKey !== undefined ? { newStartingHashKey: c.newStartingHashKey } : {}), attempt,
    } as const;
    const startMs = s.now();
    try {
      await sendOnce(s, api, c);
      s.history.reshard({ ...base, startMs, endMs: s.now(), outcome: 'ok' });
      return { outcome: 'ok' };
    } catch (err) {
      const error = errorName(err);
      last = { outcome: outcomeOf(error), error };
      s.history.reshard({ ...base, startMs, endMs: s.now(), outcome: last.outcome, error });
      if (!retriable(error)) return last;
      await sleep(RESHARD_RETRY_MS);
    }
  }
  return last;
}

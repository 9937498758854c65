/**
 * `shoal tail`'s reading loop: lists the stream's shards, decides where to
 * start (start-plan), and reads every shard the walk (shard-lineage) makes
 * ready, in parallel, through one ShardSource (polling or fan-out). A shard
 * that ends hands its children to the walk; tail ends when nothing is left
 * to read (without --follow: every shard caught up) or after --limit
 * records. Records reach `emit` in each shard's order; one failing shard
 * stops the others and fails the command.
 */
import { GetRecordsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { errorName } from '../aws-errors';
import { listAllShards } from '../kinesis-listing';
import { ShardWalk, type ShardNode } from '../shard-lineage';
import type { ShardPosition, StartPosition } from '../start-position';
import type { PollingSource } from './polling-source';
import type { RecordSink, ShardOutcome, ShardSource, TailRecord } from './shard-source';
import { StartPlan } from './start-plan';

export interface TailOptions {
  readonly stream: string;
  readonly from: StartPosition;
  readonly follow: boolean;
  readonly limit?: number;
}

const toNode = (s: Shard): ShardNode => ({ shardId: s.ShardId!, parentShardId: s.ParentShardId, adjacentParentShardId: s.AdjacentParentShardId });
const isClosed = (s: Shard): boolean => s.SequenceNumberRange?.EndingSequenceNumber !== undefined;

/** The shard that holds the sequence number (the one whose GetShardIterator accepts it) and the arrival time of its record. */
async function locateSequenceNumber(client: KinesisClient, polling: PollingSource, shards: readonly Shard[], stream: string, sequenceNumber: string): Promise<{ shardId: string; arrivalMs: number }> {
  for (const shard of shards) {
    let iterator: string;
    try {
      iterator = await polling.iterator(shard.ShardId!, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber });
    } catch (err) {
      if (errorName(err) === 'InvalidArgumentException') continue; // the number belongs to another shard
      throw err;
    }
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
    const arrival = page.Records?.[0]?.ApproximateArrivalTimestamp;
    return { shardId: shard.ShardId!, arrivalMs: arrival ? arrival.getTime() : Date.now() };
  }
  throw new Error(`no shard of ${stream} holds sequence number ${sequenceNumber}`);
}

/** The walk and start plan for the user's --from. */
async function plan(client: KinesisClient, polling: PollingSource, options: TailOptions, shards: readonly Shard[]): Promise<{ walk: ShardWalk; start: StartPlan }> {
  const walk = new ShardWalk(shards.map(toNode));
  const from = options.from;
  switch (from.type) {
    case 'TRIM_HORIZON':
    case 'AT_TIMESTAMP':
      return { walk, start: new StartPlan(from) };
    case 'LATEST':
      // Closed shards hold nothing newer than now.
      for (const s of shards) if (isClosed(s)) walk.skip(s.ShardId!);
      return { walk, start: new StartPlan(from) };
    case 'AT_SEQUENCE_NUMBER': {
      const at = await locateSequenceNumber(client, polling, shards, options.stream, from.sequenceNumber);
      walk.skipAncestorsOf(at.shardId);
      const fromRecordOn: ShardPosition = { type: 'AT_TIMESTAMP', timestampMs: at.arrivalMs };
      return { walk, start: new StartPlan(fromRecordOn, new Map([[at.shardId, from]])) };
    }
  }
}

/** Reads the stream as the options say; returns the number of records emitted. */
export async function runTail(client: KinesisClient, source: ShardSource, polling: PollingSource, options: TailOptions,
  emit: (record: TailRecord) => Promise<void>): Promise<number> {
  const shards = await listAllShards(client, options.stream);
  const closed = new Set(shards.filter(isClosed).map((s) => s.ShardId!));
  const { walk, start } = await plan(client, polling, options, shards);
  const stop = new AbortController();
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let emitted = 0;
  const sink: RecordSink = {
    signal: stop.signal,
    accept: async (records) => {
      for (const r of records) {
        if (emitted >= limit) return false;
        emitted++;
        await emit(r);
        if (emitted >= limit) { stop.abort(); return false; }
      }
      return true;
    },
  };
  const running = new Map<string, Promise<[string, ShardOutcome]>>();
  try {
    while (!stop.signal.aborted) {
      const unknown = walk.unknownParents();
      if (unknown.length > 0) {
        const listing = await listAllShards(client, options.stream);
        walk.add(listing.map(toNode));
        walk.markGone(unknown.filter((id) => !listing.some((s) => s.ShardId === id)));
      }
      for (const ready of walk.takeReady()) {
        const request = { shardId: ready.shardId, position: start.positionOf(ready), stopWhenCaughtUp: !options.follow && !closed.has(ready.shardId) };
        running.set(ready.shardId, source.read(request, sink).then((outcome): [string, ShardOutcome] => [ready.shardId, outcome]));
      }
      if (running.size === 0) {
        if (walk.unfinished > 0) throw new Error(`tail: ${walk.unfinished} shards wait for parents that nobody reads`);
        break;
      }
      const [shardId, outcome] = await Promise.race(running.values());
      running.delete(shardId);
      walk.finish(shardId, outcome.kind === 'ended' ? outcome.children : []);
    }
  } finally {
    stop.abort();
    await Promise.allSettled(running.values());
  }
  return emitted;
}

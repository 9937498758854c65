/**
 * Service-managed record distribution (UpdateStreamRecordDistributionStrategy
 * AUTO): partition keys and explicit hash keys are ignored for placement and
 * the records of a request go round-robin over the stream's open shards,
 * continuing where this process' previous request to the stream stopped, so
 * every open shard gets an even share. A record is routed by the starting
 * hash key of the shard it is given, so it takes the ordinary write path
 * (leader retries, a shard closed by a reshard hands over to its child).
 */
import { limits, putShapesFor, type Shape } from '@shoal/core';
import type { ShardRecord, StreamRecord } from '@shoal/metadata';
import type { OperationContext } from '../operation';
import { parseStreamArn } from './stream-arn';

/** Streams whose next position this process remembers (least recently used forgotten first). */
const STREAMS_TRACKED_MAX = 10_000;

export class RecordDistributor {
  private readonly next = new Map<string, number>();

  /** Hash keys for `count` records of the stream, spread over `open` (its open shards, in any order). */
  hashKeys(streamId: string, open: readonly ShardRecord[], count: number): bigint[] {
    if (open.length === 0) return new Array<bigint>(count).fill(0n);
    const starts = open.map((s) => BigInt(s.hashKeyStart)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let at = this.next.get(streamId) ?? 0;
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) out.push(starts[(at + i) % starts.length]!);
    at = (at + count) % starts.length;
    this.next.delete(streamId);
    if (this.next.size >= STREAMS_TRACKED_MAX) this.next.delete(this.next.keys().next().value!);
    this.next.set(streamId, at);
    return out;
  }
}

/**
 * The PutRecord(s) shapes for the stream a (not yet validated) request
 * names: its data bound is the stream's MaxRecordSizeInKiB (1 MiB for a
 * stream not found: the request fails anyway), and on an AUTO stream the
 * partition keys may be left out.
 */
export function putShapes(ctx: OperationContext, raw: unknown): { readonly putRecord: Shape; readonly putRecords: Shape } {
  const stream = rawStream(ctx, raw);
  const dataBytesMax = (stream?.maxRecordSizeKiB ?? limits.RECORD_BYTES_DEFAULT_MAX / 1024) * 1024;
  return putShapesFor(dataBytesMax, stream?.recordDistributionStrategy === 'AUTO');
}

function rawStream(ctx: OperationContext, raw: unknown): StreamRecord | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const { StreamName: name, StreamARN: arn } = raw as { StreamName?: unknown; StreamARN?: unknown };
  const parts = typeof arn === 'string' ? parseStreamArn(arn) : undefined;
  const streamName = typeof name === 'string' ? name : parts?.streamName;
  if (streamName === undefined) return undefined;
  return ctx.view.stream({ accountId: ctx.caller.accountId, region: ctx.caller.region, streamName })?.value;
}

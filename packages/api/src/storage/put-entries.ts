/**
 * The write path of PutRecord and PutRecords: hash each record, route it
 * to the open shard that owns its hash key, send one Append per shard to
 * that shard's leader (all shards in parallel), and return one result per
 * record in request order.
 *
 * Retries: an Append is sent again (to the leader the view names next) only
 * when the node says the records were provably not appended (NOT_LEADER,
 * SHARD_NOT_FOUND, STALE_EPOCH, SHARD_CLOSED) or the call never left this
 * process (leader not registered). Between attempts we wait, bounded, for
 * the view to change from what the attempt was routed with (so a change
 * that arrived while the attempt was in flight retries at once). A shard
 * whose record shows a planned leader handover (`handoverTo`) is not sent
 * to: its leader admits nothing until the new leader takes over, so we
 * wait for that view change without using up an attempt. TIMEOUT,
 * NOT_ENOUGH_REPLICAS, INTERNAL and transport
 * errors may have appended: those records fail without a retry, so a
 * record is never written twice by us.
 *
 * Each Append carries its records as one pre-encoded record body
 * (`records_body`, core record-batch.ts) that the leader copies into its
 * batch as is, and gets compact results back (first offset + throttled
 * indexes), so neither side builds an object per record for gRPC.
 *
 * Records of an encrypted stream are sealed here, once, before the first
 * attempt (docs/encryption.md); the Append tells the leader the envelope's
 * size so throughput limits count what the client sent. Records of an
 * AUTO-distribution stream are placed round-robin over the open shards
 * (record-distribution.ts); one sent without a partition key is stored
 * with an empty one.
 */
import {
  KinesisError, ENVELOPE_OVERHEAD_BYTES, encodeRecordBody, partitionKeyToHashKey, shardRateExceededMessage, HASH_KEY_MAX, type BodyRecordInput,
  type KinesisErrorType,
} from '@shoal/core';
import type { ClusterView, ShardRecord, StreamRecord } from '@shoal/metadata';
import type { AppendResponse__Output } from '@shoal/wire';
import type { OperationContext } from '../operation';
import { appendSequenceNumbers } from '../streams/sequence-numbers';
import { StorageUnavailableError } from './storage-clients';

/** Attempts per record before it fails with InternalFailure. */
export const APPEND_ATTEMPTS_MAX = 3;
/** Extra attempts for records refused with SHARD_CLOSED (a reshard is sealing the shard), each after a view change. */
export const SHARD_CLOSED_REROUTES_MAX = 20;
/** Longest wait for the view to change between attempts. */
export const RETRY_VIEW_WAIT_MS = 1_000;
/** Extra rounds for records whose shard is handing its leadership over (planned moves finish in well under a second). */
export const HANDOVER_WAITS_MAX = 5;
const INTERNAL_FAILURE_MESSAGE = 'Internal service failure.';

export interface PutEntry {
  /** Absent only for a stream whose record distribution strategy is AUTO. */
  readonly partitionKey: string | undefined;
  readonly explicitHashKey?: string;
  readonly data: Buffer;
}

export type PutResult =
  | { readonly ok: true; readonly shardId: string; readonly sequenceNumber: string }
  | { readonly ok: false; readonly errorType: KinesisErrorType; readonly message: string };

interface Prepared {
  readonly index: number;
  /** The record as stored: sealed (empty key, envelope data) on an encrypted stream. */
  readonly stored: BodyRecordInput;
  readonly hashKey: bigint;
  /** Kinesis bytes: data + partition key as the client sent them. */
  readonly bytes: number;
}

/** Which operation the entries came from: it decides the member path of a size error ('data' or 'records.N.member.data'). */
export type PutOperation = 'PutRecord' | 'PutRecords';

/** Hash keys, size checks and sealing for every entry before anything is sent; throws for the whole request. */
function prepare(ctx: OperationContext, stream: StreamRecord, entries: readonly PutEntry[], operation: PutOperation): Prepared[] {
  const recordBytesMax = stream.maxRecordSizeKiB * 1024;
  const seal = ctx.crypto.sealerFor(stream);
  const auto = stream.recordDistributionStrategy === 'AUTO'
    ? ctx.distributor.hashKeys(stream.streamId, openShards(ctx, stream.streamId), entries.length) : undefined;
  return entries.map((e, index) => {
    const hashKey = auto !== undefined ? auto[index]! : userHashKey(e);
    const keyBytes = e.partitionKey === undefined ? 0 : Buffer.byteLength(e.partitionKey, 'utf8');
    const bytes = e.data.length + keyBytes;
    if (bytes > recordBytesMax) {
      throw new KinesisError('ValidationException',
        `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${e.data.length} cap=${e.data.length}]' at '${operation === 'PutRecords' ? `records.${index + 1}.member.data` : 'data'}' ` +
        `failed to satisfy constraint: Member must have length less than or equal to ${recordBytesMax - keyBytes}`);
    }
    const stored = seal ? { partitionKey: '', data: seal({ partitionKey: e.partitionKey, data: e.data }) } : { partitionKey: e.partitionKey ?? '', data: e.data };
    return { index, hashKey, bytes, stored };
  });
}

/** The hash key a record names: its ExplicitHashKey (InvalidArgumentException past 2^128 - 1), else the MD5 of its partition key. */
function userHashKey(e: PutEntry): bigint {
  if (e.explicitHashKey === undefined) return partitionKeyToHashKey(e.partitionKey ?? '');
  const hashKey = BigInt(e.explicitHashKey);
  if (hashKey > HASH_KEY_MAX) {
    throw new KinesisError('InvalidArgumentException',
      `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${e.explicitHashKey}`);
  }
  return hashKey;
}

function openShards(ctx: OperationContext, streamId: string): ShardRecord[] {
  return ctx.view.shardsOf(streamId).map((s) => s.value).filter((s) => s.endingSequenceNumber === undefined);
}

/** Writes the entries; one result per entry, in order. Throws only for request-level errors (bad hash key, size). */
export async function putEntries(
  ctx: OperationContext, stream: StreamRecord, entries: readonly PutEntry[], operation: PutOperation = 'PutRecords',
): Promise<PutResult[]> {
  const prepared = prepare(ctx, stream, entries, operation);
  const overheadBytes = stream.encryptionType === 'KMS' ? ENVELOPE_OVERHEAD_BYTES : 0;
  const results: PutResult[] = new Array<PutResult>(entries.length);
  let pending = prepared;
  let closedRounds = 0;
  let handoverRounds = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const groups = groupByShard(ctx, stream.streamId, pending);
    const retry: Prepared[] = [...groups.unrouted];
    // What the retried records were routed with (see waitForViewChange).
    const routedWith = new Set<string>(groups.unrouted.length > 0 ? [UNROUTED] : []);
    let closed = false;
    let handover = false;
    let sent = false;
    await Promise.all([...groups.byShard.values()].map(async ({ shard, items, routing }) => {
      // Its leader admits nothing now (NOT_LEADER); the next leader is one view change away.
      const outcome = shard.handoverTo !== undefined && handoverRounds < HANDOVER_WAITS_MAX ? 'handover' : await appendToLeader(ctx, stream, shard, items, overheadBytes, results, operation);
      if (outcome !== 'done') { retry.push(...items); routedWith.add(routing); }
      if (outcome === 'closed') closed = true;
      if (outcome === 'handover') handover = true; else sent = true;
    }));
    if (retry.length === 0) break;
    // A shard sealing for a reshard answers SHARD_CLOSED until its children are in the view
    // (usually well under a second): those rounds do not use up the ordinary attempts.
    if (closed && closedRounds < SHARD_CLOSED_REROUTES_MAX) { closedRounds++; attempt--; }
    else if (handover && !sent) { handoverRounds++; attempt--; }
    if (attempt >= APPEND_ATTEMPTS_MAX) {
      for (const p of retry) results[p.index] = { ok: false, errorType: 'InternalFailure', message: INTERNAL_FAILURE_MESSAGE };
      break;
    }
    ctx.metrics.appendRetried(retry.length);
    await waitForViewChange(ctx, stream.streamId, retry.map((p) => p.hashKey), signature(routedWith));
    pending = retry.sort((a, b) => a.index - b.index);
  }
  return results;
}

interface ShardGroup {
  readonly shard: ShardRecord;
  readonly items: Prepared[];
  /** The shard's routing state when the group was made (shardRouting). */
  readonly routing: string;
}

function groupByShard(ctx: OperationContext, streamId: string, items: readonly Prepared[]): {
  byShard: Map<string, ShardGroup>; unrouted: Prepared[];
} {
  const byShard = new Map<string, ShardGroup>();
  const unrouted: Prepared[] = [];
  const shardFor = ctx.routing.resolver(streamId);
  for (const p of items) {
    const shard = shardFor(p.hashKey);
    if (!shard) { unrouted.push(p); continue; }
    let group = byShard.get(shard.shardId);
    if (!group) byShard.set(shard.shardId, (group = { shard, items: [], routing: shardRouting(ctx.view, streamId, shard) }));
    group.items.push(p);
  }
  return { byShard, unrouted };
}

/** Sends one Append and fills `results` for its items (and the metrics of what it wrote), or answers 'retry' when nothing was appended. */
async function appendToLeader(ctx: OperationContext, stream: StreamRecord, shard: ShardRecord, items: readonly Prepared[], overheadBytes: number,
  results: PutResult[], operation: PutOperation): Promise<'done' | 'retry' | 'closed' | 'handover'> {
  let response: AppendResponse__Output;
  try {
    if (!ctx.view.nodes.has(shard.leader)) return 'retry';
    response = await ctx.storage.append(shard.leader, {
      shard: { stream_id: stream.streamId, shard_id: shard.shardId }, epoch: shard.epoch,
      records_body: encodeRecordBody(items.map((p) => p.stored)), record_count: items.length, record_overhead_bytes: overheadBytes,
    });
  } catch (err) {
    ctx.logger.warn('append failed at the transport', { shardId: shard.shardId, leader: shard.leader, err });
    failAll(items, results, err instanceof StorageUnavailableError ? 'ServiceUnavailable' : 'InternalFailure');
    return 'done';
  }
  switch (response.error) {
    case 'OK': break;
    case 'NOT_LEADER': case 'SHARD_NOT_FOUND': case 'STALE_EPOCH': return 'retry';
    case 'SHARD_CLOSED': return 'closed';
    case 'NOT_ENOUGH_REPLICAS': failAll(items, results, 'ServiceUnavailable'); return 'done';
    default:
      ctx.logger.warn('append failed', { shardId: shard.shardId, leader: shard.leader, error: response.error, message: response.error_message });
      failAll(items, results, 'InternalFailure');
      return 'done';
  }
  // result_count proves the node read records_body (an older node would answer no results at all).
  if (response.result_count !== items.length) throw new Error(`Append answered ${response.result_count} results for ${items.length} records`);
  const nextSequenceNumber = appendSequenceNumbers(shard, response.first_offset, response.arrival_ms);
  const throttled = response.throttled_indexes;
  let t = 0;
  let bytes = 0;
  items.forEach((p, i) => {
    if (throttled[t] === i) {
      t++;
      results[p.index] = { ok: false, errorType: 'ProvisionedThroughputExceededException', message: shardRateExceededMessage(shard.shardId, stream.streamName, ctx.caller.accountId) };
    } else {
      bytes += p.bytes;
      results[p.index] = { ok: true, shardId: shard.shardId, sequenceNumber: nextSequenceNumber() };
    }
  });
  ctx.metrics.recordWrite(stream, shard.shardId, operation, { records: items.length - t, bytes, throttled: t });
  return 'done';
}

function failAll(items: readonly Prepared[], results: PutResult[], errorType: KinesisErrorType): void {
  const message = errorType === 'ServiceUnavailable' ? 'Service unavailable.' : INTERNAL_FAILURE_MESSAGE;
  for (const p of items) results[p.index] = { ok: false, errorType, message };
}

const UNROUTED = '-';

/** A shard's record revision and whether its leader is registered: what routing to it depended on. */
function shardRouting(view: ClusterView, streamId: string, shard: ShardRecord): string {
  return `${shard.shardId}:${view.shard(streamId, shard.shardId)?.modRevision}:${view.nodes.has(shard.leader)}`;
}

function signature(routings: Iterable<string>): string {
  return [...routings].sort().join(',');
}

/** The routing state of the shards that own these keys in `view` (UNROUTED for a key no open shard owns). */
function keysSignature(ctx: OperationContext, streamId: string, hashKeys: readonly bigint[], view: ClusterView): string {
  const shardFor = ctx.routing.resolver(streamId);
  const routings = new Set<string>();
  for (const k of hashKeys) {
    const shard = shardFor(k);
    routings.add(shard ? shardRouting(view, streamId, shard) : UNROUTED);
  }
  return signature(routings);
}

/**
 * Waits (bounded) until the shards owning these keys, or their leaders'
 * registrations, differ from `before` (what the attempt was routed with):
 * returns at once if they already changed while it was in flight.
 */
async function waitForViewChange(ctx: OperationContext, streamId: string, hashKeys: readonly bigint[], before: string): Promise<void> {
  try {
    await ctx.metadata.waitFor((view) => keysSignature(ctx, streamId, hashKeys, view) !== before, RETRY_VIEW_WAIT_MS);
  } catch {
    // No change in time: try once more anyway (a leader may have come back).
  }
}

/**
 * The write path of PutRecord and PutRecords: hash each record, route it
 * to the open shard that owns its hash key, and send ONE AppendShards call
 * per leader node carrying the records of every shard it leads (all nodes
 * in parallel), so a PutRecords spread over many shards costs one call per
 * node, not one per shard; return one result per record in request order.
 * (The storage clients may carry several requests' calls to a node as one:
 * append-coalescer.ts.)
 *
 * Each shard's records travel as one pre-encoded record body
 * (`records_body`, core record-batch.ts) that the leader copies into its
 * batch as is, and come back as compact results (first offset + throttled
 * indexes), so neither side builds an object per record for gRPC.
 *
 * Retries follow the retry policy (retry-policy.ts): a shard's records go
 * again (to the leader the view names next) only when the node says they
 * were provably not appended (NOT_LEADER, SHARD_NOT_FOUND, STALE_EPOCH,
 * SHARD_CLOSED) or the call never left this process (leader not
 * registered); between attempts we wait, bounded, for the routing to
 * change from what the attempt used (a change that arrived while it was in
 * flight retries at once). A shard whose record shows a planned leader
 * handover (`handoverTo`) is not sent to: its leader admits nothing until
 * the new leader takes over, so we wait for that view change without using
 * up an attempt. TIMEOUT, NOT_ENOUGH_REPLICAS, INTERNAL and transport
 * errors may have appended: those records fail without a retry, so a
 * record is never written twice by us.
 *
 * Records of an encrypted stream are sealed here, once, before the first
 * attempt (docs/encryption.md); the call tells the leader the envelope's
 * size so throughput limits count what the client sent. Records of an
 * AUTO-distribution stream are placed round-robin over the open shards
 * (record-distribution.ts); one sent without a partition key is stored
 * with an empty one.
 */
import {
  KinesisError, ENVELOPE_OVERHEAD_BYTES, encodeRecordBody, partitionKeyToHashKey, shardRateExceededMessage, HASH_KEY_MAX, type BodyRecordInput,
  type KinesisErrorType,
} from '@shoal/core';
import { type ClusterView, isHandingOver, type ShardRecord, type StreamRecord } from '@shoal/metadata';
import type { ShardAppendResult__Output } from '@shoal/wire';
import type { ShardWriteCounts } from '../metrics';
import type { OperationContext } from '../operation';
import { appendSequenceNumbers } from '../streams/sequence-numbers';
import { ATTEMPTS_MAX, RETRY_POLICY, shardRouting, waitForRoutingChange, type CallOutcome } from './retry-policy';
import { StorageUnavailableError } from './storage-clients';

/** Extra attempts for records refused with SHARD_CLOSED (a reshard is sealing the shard), each after a view change. */
export const SHARD_CLOSED_REROUTES_MAX = 20;
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
    ? ctx.distributor.hashKeys(stream.streamId, ctx.view.openShardsOf(stream.streamId), entries.length) : undefined;
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
    const { groups, unrouted } = groupByShard(ctx, stream.streamId, pending);
    const retry: Prepared[] = [...unrouted];
    // What the retried records were routed with (see waitForRoutingChange).
    const routedWith = new Set<string>(unrouted.length > 0 ? [UNROUTED] : []);
    const written: ShardWriteCounts[] = [];
    const outcomes = await sendByNode(ctx, stream, groups, handoverRounds < HANDOVER_WAITS_MAX, overheadBytes, { results, written });
    ctx.metrics.recordWrite(stream, operation, written);
    let closed = false;
    let handover = false;
    let sent = false;
    groups.forEach((g, i) => {
      const outcome = outcomes[i]!;
      if (outcome === 'HANDOVER') handover = true; else sent = true;
      const action = outcome === 'HANDOVER' ? 'reroute' : RETRY_POLICY.append[outcome];
      if (action === 'done' || action === 'fail') return;
      retry.push(...g.items);
      routedWith.add(g.routing);
      if (action === 'closed') closed = true;
    });
    if (retry.length === 0) break;
    // A shard sealing for a reshard answers SHARD_CLOSED until its children are in the view
    // (usually well under a second): those rounds do not use up the ordinary attempts.
    if (closed && closedRounds < SHARD_CLOSED_REROUTES_MAX) { closedRounds++; attempt--; }
    else if (handover && !sent) { handoverRounds++; attempt--; }
    if (attempt >= ATTEMPTS_MAX) {
      for (const p of retry) results[p.index] = { ok: false, errorType: 'InternalFailure', message: INTERNAL_FAILURE_MESSAGE };
      break;
    }
    ctx.metrics.appendRetried(retry.length);
    const hashKeys = retry.map((p) => p.hashKey);
    await waitForRoutingChange(ctx, (view) => keysSignature(ctx, stream.streamId, hashKeys, view), signature(routedWith));
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

function groupByShard(ctx: OperationContext, streamId: string, items: readonly Prepared[]): { groups: ShardGroup[]; unrouted: Prepared[] } {
  const byShard = new Map<string, ShardGroup>();
  const unrouted: Prepared[] = [];
  const shardFor = ctx.routing.resolver(streamId);
  for (const p of items) {
    const shard = shardFor(p.hashKey);
    if (!shard) { unrouted.push(p); continue; }
    let group = byShard.get(shard.shardId);
    if (!group) byShard.set(shard.shardId, (group = { shard, items: [], routing: shardRouting(ctx.view, streamId, shard.shardId) }));
    group.items.push(p);
  }
  return { groups: [...byShard.values()], unrouted };
}

/** What became of a shard group's records this round. */
type GroupOutcome = CallOutcome | 'HANDOVER';

/** Where a round's answers go: each record's result, and each shard's counts for the metrics. */
interface RoundOut {
  readonly results: PutResult[];
  readonly written: ShardWriteCounts[];
}

/**
 * One AppendShards call per leader node for the groups it leads; fills
 * `results` for the records that are done (appended, throttled or failed)
 * and returns each group's outcome, in `groups` order. A shard handing
 * over its leadership is not sent to (while `waitHandover`).
 */
async function sendByNode(
  ctx: OperationContext, stream: StreamRecord, groups: readonly ShardGroup[], waitHandover: boolean, overheadBytes: number, out: RoundOut,
): Promise<GroupOutcome[]> {
  const outcomes = new Array<GroupOutcome>(groups.length);
  const byNode = new Map<string, number[]>();
  groups.forEach((g, i) => {
    // Its leader admits nothing now (NOT_LEADER); the next leader is one view change away.
    if (isHandingOver(g.shard) && waitHandover) { outcomes[i] = 'HANDOVER'; return; }
    if (!ctx.view.nodes.has(g.shard.leader)) { outcomes[i] = 'UNREGISTERED'; return; }
    let list = byNode.get(g.shard.leader);
    if (!list) byNode.set(g.shard.leader, (list = []));
    list.push(i);
  });
  await Promise.all([...byNode].map(async ([nodeId, indexes]) => {
    let answers: ShardAppendResult__Output[];
    try {
      const response = await ctx.storage.appendShards(nodeId, {
        shards: indexes.map((i) => {
          const g = groups[i]!;
          return {
            shard: { stream_id: stream.streamId, shard_id: g.shard.shardId }, epoch: g.shard.epoch, records_body: encodeRecordBody(g.items.map((p) => p.stored)), record_count: g.items.length,
            record_overhead_bytes: overheadBytes,
          };
        }),
      });
      answers = response.results;
    } catch (err) {
      ctx.logger.warn('append failed at the transport', { leader: nodeId, shards: indexes.length, err });
      for (const i of indexes) {
        outcomes[i] = 'TRANSPORT';
        failAll(groups[i]!.items, out.results, err instanceof StorageUnavailableError ? 'ServiceUnavailable' : 'InternalFailure');
      }
      return;
    }
    if (answers.length !== indexes.length) throw new Error(`AppendShards answered ${answers.length} results for ${indexes.length} shards`);
    indexes.forEach((i, k) => { outcomes[i] = applyResult(ctx, stream, groups[i]!, answers[k]!, nodeId, out); });
  }));
  return outcomes;
}

/** Fills the results (and counts) of one shard's records from its answer; returns the outcome for the retry policy. */
function applyResult(
  ctx: OperationContext, stream: StreamRecord, g: ShardGroup, res: ShardAppendResult__Output, leader: string, out: RoundOut,
): CallOutcome {
  const { results } = out;
  const action = RETRY_POLICY.append[res.error];
  if (action === 'fail') {
    if (res.error !== 'NOT_ENOUGH_REPLICAS') ctx.logger.warn('append failed', { shardId: g.shard.shardId, leader, error: res.error, message: res.error_message });
    failAll(g.items, results, res.error === 'NOT_ENOUGH_REPLICAS' ? 'ServiceUnavailable' : 'InternalFailure');
  }
  if (res.error !== 'OK') return res.error;
  // result_count proves the node read this shard's body.
  if (res.result_count !== g.items.length) throw new Error(`AppendShards answered ${res.result_count} results for ${g.items.length} records`);
  const nextSequenceNumber = appendSequenceNumbers(g.shard, res.first_offset, res.arrival_ms);
  const throttled = res.throttled_indexes;
  let t = 0;
  let bytes = 0;
  g.items.forEach((p, i) => {
    if (throttled[t] === i) {
      t++;
      results[p.index] = { ok: false, errorType: 'ProvisionedThroughputExceededException', message: shardRateExceededMessage(g.shard.shardId, stream.streamName, ctx.caller.accountId) };
    } else {
      bytes += p.bytes;
      results[p.index] = { ok: true, shardId: g.shard.shardId, sequenceNumber: nextSequenceNumber() };
    }
  });
  out.written.push({ shardId: g.shard.shardId, records: g.items.length - t, bytes, throttled: t });
  return 'OK';
}

function failAll(items: readonly Prepared[], results: PutResult[], errorType: KinesisErrorType): void {
  const message = errorType === 'ServiceUnavailable' ? 'Service unavailable.' : INTERNAL_FAILURE_MESSAGE;
  for (const p of items) results[p.index] = { ok: false, errorType, message };
}

const UNROUTED = '-';

function signature(routings: Iterable<string>): string {
  return [...routings].sort().join(',');
}

/** The routing state of the shards that own these keys in `view` (UNROUTED for a key no open shard owns). */
function keysSignature(ctx: OperationContext, streamId: string, hashKeys: readonly bigint[], view: ClusterView): string {
  const shardFor = ctx.routing.resolver(streamId);
  const routings = new Set<string>();
  for (const k of hashKeys) {
    const shard = shardFor(k);
    routings.add(shard ? shardRouting(view, streamId, shard.shardId) : UNROUTED);
  }
  return signature(routings);
}

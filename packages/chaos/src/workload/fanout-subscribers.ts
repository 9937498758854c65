/**
 * Enhanced fan-out subscribers (a scenario side load): one registered
 * consumer per api endpoint (HTTP/2 for the first, HTTP/1.1 for the
 * others), each reading every shard with SubscribeToShard the way the KCL
 * does: shards in lineage order (a child once its parents ended), from
 * TRIM_HORIZON, resubscribing AFTER_SEQUENCE_NUMBER of the last continuation
 * whenever a subscription ends, through the api endpoints in turn. Every
 * call and event goes to subscriptions.jsonl (fanout-format.ts).
 * It also splits one shard, at a seeded time in the first half of the fault
 * phase (reshards.jsonl), so parents end with ChildShards under subscribers.
 * stop() lets the subscribers read SUBSCRIBER_DRAIN_MS longer, then ends them.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, KinesisClient, RegisterStreamConsumerCommand, SubscribeToShardCommand,
  type StartingPosition, type SubscribeToShardCommandOutput,
} from '@aws-sdk/client-kinesis';
import { isOpenShard } from '@shoal/metadata';
import { CONSUMER_ACTIVE_WAIT_MS, READER_SHARDS_MAX, SNAPSHOT_INTERVAL_MS, SUBSCRIBER_DRAIN_MS, SUBSCRIBER_RETRY_MS } from '../chaos-limits';
import type { SideLoad, SideLoadContext } from '../harness/side-load';
import type { SubscriptionCall } from '../history/fanout-format';
import type { SnapshotShard } from '../history/history-format';
import { CHAOS_REGION, kinesisClient } from './kinesis-clients';
import { errorName } from './outcome';
import { md5Hex, valueOf } from './record-value';
import { requestReshard, splitKey } from './reshard-requests';
import { lineageOrder, listShards } from './shard-listing';

/** The idle read timeout of the HTTP/1.1 subscribers: several idle-event intervals. */
const SUBSCRIBE_SOCKET_TIMEOUT_MS = 15_000;
const POLL_MS = 200;

interface Subscriber {
  readonly consumer: string;
  /** One client per api endpoint (index = api). */
  readonly clients: readonly KinesisClient[];
  arn: string;
}

interface State {
  stopping: boolean;
  readonly aborts: Set<AbortController>;
}

export function startFanOutSubscribers(ctx: SideLoadContext): SideLoad {
  const state: State = { stopping: false, aborts: new Set() };
  const subscribers: Subscriber[] = ctx.endpoints.map((_, i) => ({
    consumer: `chaos-${i === 0 ? 'h2' : 'h1'}-${i + 1}`,
    clients: ctx.endpoints.map((e) => (i === 0
      ? new KinesisClient({ endpoint: e, region: CHAOS_REGION, credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos' }, maxAttempts: 1 })
      : kinesisClient(e, SUBSCRIBE_SOCKET_TIMEOUT_MS))),
    arn: '',
  }));
  const tasks = subscribers.map((s) => runSubscriber(ctx, s, state).catch((err: unknown) => ctx.log(`subscriber ${s.consumer} failed: ${String(err)}`)));
  const control = ctx.endpoints.map((e) => kinesisClient(e));
  const split = splitOnce(ctx, control, state);
  return {
    stop: async () => {
      await sleep(SUBSCRIBER_DRAIN_MS);
      state.stopping = true;
      for (const a of state.aborts) a.abort();
      await Promise.all([...tasks, split]);
      for (const s of subscribers) for (const c of s.clients) c.destroy();
      for (const c of control) c.destroy();
    },
  };
}

/** Splits one open shard at its middle, at a seeded time (logged in reshards.jsonl). */
async function splitOnce(ctx: SideLoadContext, clients: readonly KinesisClient[], state: State): Promise<void> {
  const random = ctx.random.fork();
  await sleep(3_000 + random.int(7_000));
  if (state.stopping) return;
  const open = (await listShards(clients[0]!, ctx.streamName).catch(() => [] as SnapshotShard[])).filter(isOpenShard);
  const parent = open.length > 0 ? random.pick(open) : undefined;
  const key = parent ? splitKey(parent, random) : undefined;
  if (!parent || key === undefined) return;
  const sender = { streamName: ctx.streamName, clients, history: ctx.history, now: ctx.now, random, stopped: () => state.stopping };
  const r = await requestReshard(sender, { op: 'split', shardIds: [parent.shardId], newStartingHashKey: key.toString() }, 'fanout');
  ctx.log(`split ${parent.shardId}: ${r.outcome}${r.error ? ` ${r.error}` : ''}`);
}

async function registerConsumer(ctx: SideLoadContext, s: Subscriber): Promise<void> {
  const client = s.clients[0]!;
  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: ctx.streamName }));
  const reg = await client.send(new RegisterStreamConsumerCommand({ StreamARN: summary.StreamDescriptionSummary!.StreamARN!, ConsumerName: s.consumer }));
  s.arn = reg.Consumer!.ConsumerARN!;
  const deadline = ctx.now() + CONSUMER_ACTIVE_WAIT_MS;
  while (ctx.now() < deadline) {
    const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: s.arn })).catch(() => undefined);
    if (d?.ConsumerDescription?.ConsumerStatus === 'ACTIVE') return;
    await sleep(POLL_MS);
  }
  throw new Error(`consumer ${s.consumer} not ACTIVE after ${CONSUMER_ACTIVE_WAIT_MS} ms`);
}

/** One consumer: sessions on every shard, parents before children, until stopped. */
async function runSubscriber(ctx: SideLoadContext, s: Subscriber, state: State): Promise<void> {
  await registerConsumer(ctx, s);
  const started = new Map<string, Promise<void>>();
  const finished = new Set<string>();
  while (!state.stopping) {
    let shards: SnapshotShard[] = [];
    try { shards = await listShards(s.clients[0]!, ctx.streamName); } catch { /* listed again next round */ }
    const byId = new Map(shards.map((x) => [x.shardId, x]));
    for (const id of lineageOrder(shards)) {
      if (started.has(id) || started.size - finished.size >= READER_SHARDS_MAX) continue;
      const sh = byId.get(id)!;
      const parents = [sh.parentShardId, sh.adjacentParentShardId].filter((p): p is string => p !== undefined && byId.has(p));
      if (!parents.every((p) => finished.has(p))) continue;
      started.set(id, runSession(ctx, s, state, id).then((ended) => { if (ended) finished.add(id); }));
    }
    await sleep(SNAPSHOT_INTERVAL_MS);
  }
  await Promise.all(started.values());
}

/** Reads one shard across subscriptions; true when it reached the shard's end. */
async function runSession(ctx: SideLoadContext, s: Subscriber, state: State, shardId: string): Promise<boolean> {
  const session = `${s.consumer}-${shardId}`;
  let after: string | null = null;
  for (let n = 0; !state.stopping; n++) {
    const api = n % s.clients.length;
    const call = `${session}-${n}-${randomUUID().slice(0, 8)}`;
    const abort = new AbortController();
    state.aborts.add(abort);
    const startMs = ctx.now();
    let events = 0;
    const line = (fields: Pick<SubscriptionCall, 'outcome' | 'end' | 'error'>): SubscriptionCall =>
      ({ type: 'subscribe', consumer: s.consumer, session, call, api, shardId, after: startAfter, startMs, endMs: ctx.now(), events, ...fields });
    const startAfter = after;
    try {
      const position: StartingPosition = startAfter === null ? { Type: 'TRIM_HORIZON' } : { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: startAfter };
      const res: SubscribeToShardCommandOutput = await s.clients[api]!.send(new SubscribeToShardCommand({ ConsumerARN: s.arn, ShardId: shardId, StartingPosition: position }),
        { abortSignal: abort.signal });
      let shardEnded = false;
      for await (const ev of res.EventStream!) {
        const e = ev.SubscribeToShardEvent;
        if (!e) continue;
        events++;
        const childShards = (e.ChildShards ?? []).map((c) => ({ shardId: c.ShardId!, parentShards: c.ParentShards ?? [] }));
        ctx.history.subscription({
          type: 'sub-event', consumer: s.consumer, session, call, shardId, atMs: ctx.now(),
          records: (e.Records ?? []).map((r) => {
            const data = r.Data ?? new Uint8Array();
            return { seq: r.SequenceNumber!, partitionKey: r.PartitionKey!, value: valueOf(data), md5: md5Hex(data) };
          }),
          ...(e.ContinuationSequenceNumber !== undefined ? { continuation: e.ContinuationSequenceNumber } : {}),
          ...(e.MillisBehindLatest !== undefined ? { millisBehindLatest: e.MillisBehindLatest } : {}),
          ...(childShards.length > 0 ? { childShards } : {}),
        });
        if (e.ContinuationSequenceNumber !== undefined) after = e.ContinuationSequenceNumber;
        if (childShards.length > 0) shardEnded = true;
      }
      ctx.history.subscription(line({ outcome: 'ok', end: shardEnded ? 'shard-end' : 'complete' }));
      if (shardEnded) return true;
    } catch (err) {
      const stopped = abort.signal.aborted;
      ctx.history.subscription(line(events > 0 || stopped
        ? { outcome: 'ok', end: stopped ? 'stopped' : 'error', error: errorName(err) }
        : { outcome: 'fail', error: errorName(err) }));
      if (!stopped) await sleep(SUBSCRIBER_RETRY_MS);
    } finally {
      state.aborts.delete(abort);
    }
  }
  return false;
}

/**
 * The reshard storm (a scenario side load): while the workload writes and
 * reads, split and merge the stream every few seconds through the api,
 * keeping the open shards between RESHARD_OPEN_SHARDS_MIN and _MAX. Each
 * request waits for the previous round to settle (stream ACTIVE again),
 * then a seeded pause. A sampler beside it takes a snapshot every
 * RESHARD_SNAPSHOT_INTERVAL_MS through the other api process (stream
 * status + ListShards, into shards.jsonl), so the checker sees every round
 * and can tell when each was done or rolled back (reshard-stuck) and that
 * the hash space stayed tiled. stop() ends the requests, waits (bounded)
 * for the last round to settle, then ends the sampler.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  RESHARD_OPEN_SHARDS_MAX, RESHARD_OPEN_SHARDS_MIN, RESHARD_PERIOD_MS_MAX, RESHARD_PERIOD_MS_MIN, RESHARD_SETTLE_WAIT_MS, RESHARD_SNAPSHOT_INTERVAL_MS,
} from '../chaos-limits';
import type { SideLoad, SideLoadContext } from '../harness/side-load';
import { kinesisClient } from './kinesis-clients';
import { errorName } from './outcome';
import { chooseReshard, requestReshard, type ReshardChoice, type ReshardSender } from './reshard-requests';
import { listShards } from './shard-listing';

/** The api process the sampler uses (the second one when there are two: the storm's requests go through both). */
const SAMPLER_API = 1;

interface StormState {
  stopping: boolean;
  /** Stream status of the sampler's latest snapshot. */
  status: string | undefined;
  /** Sampler time of that snapshot. */
  statusAtMs: number;
}

async function runSampler(ctx: SideLoadContext, clients: readonly KinesisClient[], state: StormState, done: () => boolean): Promise<void> {
  const api = Math.min(SAMPLER_API, clients.length - 1);
  const client = clients[api]!;
  while (!done()) {
    const startMs = ctx.now();
    try {
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: ctx.streamName }));
      const streamStatus = summary.StreamDescriptionSummary?.StreamStatus ?? 'UNKNOWN';
      const shards = await listShards(client, ctx.streamName);
      ctx.history.snapshot({ type: 'shards', api, startMs, endMs: ctx.now(), outcome: 'ok', shards, streamStatus });
      state.status = streamStatus;
      state.statusAtMs = startMs;
    } catch (err) {
      ctx.history.snapshot({ type: 'shards', api, startMs, endMs: ctx.now(), outcome: 'fail', error: errorName(err), shards: [] });
    }
    await sleep(RESHARD_SNAPSHOT_INTERVAL_MS);
  }
}

/** Resolves once a snapshot taken after `sinceMs` shows the stream ACTIVE, or after `waitMs`; true if it settled. */
async function settled(ctx: SideLoadContext, state: StormState, sinceMs: number, waitMs: number): Promise<boolean> {
  const deadline = ctx.now() + waitMs;
  while (ctx.now() < deadline) {
    if (state.statusAtMs > sinceMs && state.status === 'ACTIVE') return true;
    await sleep(RESHARD_SNAPSHOT_INTERVAL_MS);
  }
  return false;
}

async function runStorm(ctx: SideLoadContext, sender: ReshardSender, state: StormState): Promise<void> {
  const bounds = { min: RESHARD_OPEN_SHARDS_MIN, max: RESHARD_OPEN_SHARDS_MAX };
  while (!state.stopping) {
    let choice: ReshardChoice | undefined;
    try {
      choice = chooseReshard(await listShards(sender.clients[sender.random.int(sender.clients.length)]!, ctx.streamName), sender.random, bounds);
    } catch (err) {
      ctx.log(`reshard storm: ListShards failed (${errorName(err)})`);
    }
    if (choice) {
      const r = await requestReshard(sender, choice, 'storm');
      ctx.log(`reshard storm: ${choice.op} ${choice.shardIds.join('+')}: ${r.outcome}${r.error ? ` ${r.error}` : ''}`);
      if (r.outcome === 'ok' && !(await settled(ctx, state, ctx.now(), RESHARD_SETTLE_WAIT_MS))) ctx.log('reshard storm: round not settled in time');
    }
    const pauseMs = RESHARD_PERIOD_MS_MIN + sender.random.int(RESHARD_PERIOD_MS_MAX - RESHARD_PERIOD_MS_MIN + 1);
    for (const until = ctx.now() + pauseMs; !state.stopping && ctx.now() < until;) await sleep(Math.min(200, until - ctx.now()));
  }
}

/** Starts the storm and its sampler on the scenario's stream. */
export function startReshardStorm(ctx: SideLoadContext): SideLoad {
  const clients = ctx.endpoints.map((e) => kinesisClient(e));
  const state: StormState = { stopping: false, status: undefined, statusAtMs: 0 };
  let samplerDone = false;
  const sender: ReshardSender = { streamName: ctx.streamName, clients, history: ctx.history, now: ctx.now, random: ctx.random, stopped: () => state.stopping };
  const sampler = runSampler(ctx, clients, state, () => samplerDone);
  const storm = runStorm(ctx, sender, state);
  return {
    stop: async () => {
      state.stopping = true;
      await storm;
      if (!(await settled(ctx, state, ctx.now(), RESHARD_SETTLE_WAIT_MS))) ctx.log('reshard storm: stream not ACTIVE at the end');
      samplerDone = true;
      await sampler;
      for (const c of clients) c.destroy();
    },
  };
}

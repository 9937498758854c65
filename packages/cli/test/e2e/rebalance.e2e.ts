/**
 * Rebalancing with real processes: a cluster started with one storage node
 * per AZ and a six-shard stream under a steady writer (JS SDK v3); then
 * `up --nodes-per-az 2` starts a second node in every AZ. The controller
 * must move replicas (copy, join the ISR, drop the old one) and leaders
 * (handovers) until every node holds 3 replicas and leads 1 shard, with
 * one replica per AZ, the longest pause of acknowledged writes on every
 * shard under 1 s, nothing moving once balanced (hysteresis), and every
 * acknowledged record read back once, in order, from every shard.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateStreamCommand, KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { StatusReport } from '../../src/commands/status';
import { ClusterHarness } from './cluster-harness';
import { listShards, readShard, waitActive } from './kinesis-helpers';
import { checkShard, key } from './record-checks';
import { SteadyWriter } from './steady-writer';

const API_PORT = Number(process.env['SHOAL_E2E_REBALANCE_API_PORT'] ?? 22567);
const STREAM = 'rebalance';
const SHARDS = 6;
const NODES_AFTER = 6;
const PAUSE_MS_MAX = 1_000;
const BALANCE_MS_MAX = 90_000;
/** Long enough for another rebalance pass (1 s tick, 3 s settle) to have moved something if it were going to. */
const QUIET_CHECK_MS = 5_000;
const POLL_MS = 500;
const SOCKETS_MAX = 256;
const CREDENTIALS = { accessKeyId: 'AKIDSHOALE2E', secretAccessKey: 'shoal-e2e-secret' };

type StreamStatus = StatusReport['streams'][number];

describe('rebalancing with real processes', function () {
  this.timeout(240_000);
  const cluster = new ClusterHarness({ apiPort: API_PORT, upArgs: ['--nodes-per-az', '1', '--lease-ttl-sec', '3'] });
  const notes: string[] = [];
  let client: KinesisClient;
  let writer: SteadyWriter;
  let shards: Shard[] = [];

  before(async function () {
    this.timeout(180_000);
    cluster.up();
    client = new KinesisClient({
      endpoint: cluster.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ requestTimeout: 15_000, httpAgent: new Agent({ keepAlive: true, maxSockets: SOCKETS_MAX }) }),
    });
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: SHARDS }));
    await waitActive(client, STREAM);
    shards = await listShards(client, STREAM);
    writer = new SteadyWriter(client, STREAM, shards);
    writer.start();
  });

  after(async function () {
    this.timeout(60_000);
    await writer?.stop();
    client?.destroy();
    for (const line of notes) process.stdout.write(`      ${line}\n`);
    cluster.destroy();
  });

  function streamOf(report: StatusReport): StreamStatus {
    const s = report.streams.find((x) => x.streamName === STREAM);
    assert.ok(s, `stream ${STREAM} in status: ${report.etcdError ?? ''}`);
    return s;
  }

  function counts(report: StatusReport): { replicas: Map<string, number>; leaders: Map<string, number> } {
    const replicas = new Map(report.nodes.map((n) => [n.nodeId, 0]));
    const leaders = new Map(report.nodes.map((n) => [n.nodeId, 0]));
    for (const sh of streamOf(report).shards) {
      for (const r of sh.replicas) replicas.set(r.nodeId, (replicas.get(r.nodeId) ?? 0) + 1);
      leaders.set(sh.leader, (leaders.get(sh.leader) ?? 0) + 1);
    }
    return { replicas, leaders };
  }

  /** Six live nodes, each with 3 replicas and 1 leadership; every shard 3 replicas in 3 AZs, all in sync. */
  function balanced(report: StatusReport): boolean {
    if (report.nodes.length !== NODES_AFTER) return false;
    const { replicas, leaders } = counts(report);
    return [...replicas.values()].every((n) => n === (SHARDS * 3) / NODES_AFTER) && [...leaders.values()].every((n) => n === SHARDS / NODES_AFTER)
      && streamOf(report).shards.every((sh) => sh.replicas.length === 3 && new Set(sh.replicas.map((r) => r.az)).size === 3
        && sh.replicas.every((r) => sh.isr.includes(r.nodeId) && r.logEndOffset !== undefined));
  }

  function brief(report: StatusReport): string {
    const { replicas, leaders } = counts(report);
    return [...replicas.keys()].sort().map((id) => `${id}:${replicas.get(id)}r/${leaders.get(id)}L`).join(' ');
  }

  /** When the longest gap of acknowledgements of a shard began (ms, same clock as Date.now()). */
  function gapStart(shardId: string, fromMs: number, toMs: number): number {
    let last = fromMs;
    let best = { at: fromMs, len: 0 };
    for (const t of writer.ackTimes(shardId)) {
      if (t < fromMs || t > toMs) continue;
      if (t - last > best.len) best = { at: last, len: t - last };
      last = t;
    }
    return best.at;
  }

  it('spreads replicas and leaders over the new nodes with write pauses under a second', async function () {
    this.timeout(180_000);
    const before = await cluster.statusAsync();
    assert.equal(before.nodes.length, 3);
    notes.push(`before: ${brief(before)}`);
    const t0 = Date.now();
    await cluster.cliAsync('up', '--nodes-per-az', '2');
    let report = await cluster.statusAsync();
    while (!balanced(report)) {
      if (Date.now() - t0 > BALANCE_MS_MAX) assert.fail(`not balanced after ${BALANCE_MS_MAX} ms: ${brief(report)}`);
      await sleep(POLL_MS);
      report = await cluster.statusAsync();
    }
    const balancedMs = Date.now() - t0;
    notes.push(`balanced ${balancedMs} ms after the new nodes were started: ${brief(report)}`);
    // Hysteresis: nothing moves once balanced.
    const snapshot = JSON.stringify(streamOf(report).shards.map((sh) => [sh.leader, sh.epoch, sh.replicas.map((r) => r.nodeId)]));
    await sleep(QUIET_CHECK_MS);
    const later = await cluster.statusAsync();
    assert.equal(JSON.stringify(streamOf(later).shards.map((sh) => [sh.leader, sh.epoch, sh.replicas.map((r) => r.nodeId)])), snapshot, 'nothing moves once balanced');
    const toMs = Date.now();
    const perShard = shards.map((sh) => [sh.ShardId!, writer.longestPauseMs(sh.ShardId!, t0, toMs)] as const);
    const worst = Math.max(...perShard.map(([, ms]) => ms));
    notes.push(`longest write pause during the rebalance: ${worst} ms (${perShard.map(([id, ms]) => `${id.slice(-2)}=${ms}@+${gapStart(id, t0, toMs) - t0}`).join(' ')})`);
    assert.ok(worst < PAUSE_MS_MAX, notes[notes.length - 1]);
  });

  it('keeps every acknowledged record once, in order, on every shard', async function () {
    this.timeout(120_000);
    await writer.stop();
    const report = await cluster.statusAsync();
    const failedIds = new Set(writer.failed.map((f) => f.id));
    let failedPresent = 0;
    for (const sh of streamOf(report).shards) {
      const acked = writer.acked.filter((a) => a.shardId === sh.shardId);
      assert.ok(acked.length > 0, `${sh.shardId} took writes`);
      const first = await readShard(client, STREAM, sh.shardId, acked.length);
      const second = await readShard(client, STREAM, sh.shardId, acked.length);
      assert.deepEqual(second.map(key), first.map(key), `${sh.shardId}: two reads give one order`);
      failedPresent += checkShard(sh.shardId, first, acked, failedIds);
    }
    notes.push(`records: ${writer.acked.length} acknowledged, ${writer.failed.length} failed (${failedPresent} of those were appended anyway)`);
  });
});

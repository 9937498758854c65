/**
 * A node driver (node a1) leading one shard whose only follower, b1, is
 * the test: the test sees every message the driver sends it and answers
 * with acks of its choosing. For tests of the driver's steps.
 */
import { ReplicaMachine, encodeRecordBody, type AppendAck } from '@shoal/core';
import { waitUntil } from '@shoal/testkit';
import { createLogger, type ShardAppend, type ShardAppendResult } from '@shoal/wire';
import { CacheBudget } from '../../src/batch-cache';
import { NodeDriver, type NodeDriverOptions } from '../../src/node-driver';
import { NodeMetrics } from '../../src/node-metrics';
import { Replica } from '../../src/replica';
import type { NodeStore } from '../../src/store/node-store';

export const SHARD = { streamId: 's1', shardId: 'shardId-000000000000' };

export interface LeaderFixture {
  readonly driver: NodeDriver;
  readonly replica: Replica;
  readonly machine: ReplicaMachine;
  /** Every message sent to b1, in order. */
  readonly sent: ShardAppend[];
  /** A fatal error the driver reported, if any. */
  fatal(): unknown;
  /** Appends one record of `data` to the shard. */
  append(data: Buffer): Promise<ShardAppendResult>;
  /** b1 acknowledges `message`, its log ending at `logEndOffset`. */
  ack(message: ShardAppend, logEndOffset: number): void;
}

/** testkit's waitUntil at the pace of a driver step: polls `cond` every 2 ms, failing after 400 ms. */
export function until(cond: () => boolean, what: string): Promise<void> {
  return waitUntil(what, cond, 400, 2);
}

/** Starts the driver on `store`, adds the shard's replica as leader (epoch 1, ISR a1 and b1) and acks its first probe. */
export async function leaderFixture(store: NodeStore, options: Partial<NodeDriverOptions> = {}): Promise<LeaderFixture> {
  const logger = createLogger('driver-test', {}, 'error');
  const metrics = new NodeMetrics('a1', () => []);
  let fatal: unknown;
  const driver = new NodeDriver({
    selfId: 'a1', store, proposer: { propose: () => undefined }, monoClock: () => performance.now(), leaseUntilMs: () => Number.MAX_SAFE_INTEGER,
    clock: () => Date.now(), retentionMs: () => undefined, logger, metrics, onFatal: (err) => { fatal = err; }, ...options,
  });
  const sent: ShardAppend[] = [];
  driver.setPeers({ reachable: (id) => id === 'b1', send: (_id, appends) => { sent.push(...appends); return true; } });
  const log = store.shard(SHARD);
  const machine = new ReplicaMachine('a1', (await log.load()).state);
  machine.applyConfig({ epoch: 1, leader: 'a1', replicas: ['a1', 'b1'], isr: ['a1', 'b1'], revision: 1 }, performance.now());
  const replica = new Replica(SHARD, 's', log, machine, 0, {
    selfId: 'a1', limitsOn: false, clock: () => Date.now(), metrics, cacheBudget: new CacheBudget(1 << 24, 1 << 24), truncateBelowHw: false,
  }, logger);
  driver.add(replica);
  await until(() => sent.length === 1, 'the new leader probed its follower');
  const ack = (message: ShardAppend, logEndOffset: number): void => {
    const a: AppendAck = { epoch: 1, error: 'OK', logEndOffset, lastEpoch: logEndOffset > 0 ? 1 : 0, highWatermark: 0, sendSeq: Number(message.send_seq) };
    driver.ack('b1', SHARD, a);
  };
  ack(sent[0]!, 0);
  const append = (data: Buffer): Promise<ShardAppendResult> => driver.appendShards([{
    shard: { stream_id: SHARD.streamId, shard_id: SHARD.shardId }, epoch: 1, records_body: encodeRecordBody([{ partitionKey: 'k', data }]), record_count: 1,
    record_overhead_bytes: 0,
  }]).then(([res]) => res!);
  return { driver, replica, machine, sent, fatal: () => fatal, append, ack };
}

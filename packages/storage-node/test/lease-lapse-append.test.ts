/**
 * Regression (chaos etcd-leader-kill): with etcd out of quorum a leader's
 * lease ran out while it was assembling a group commit, between the lease
 * check and leaderAppended's: leaderAppended threw "leaderAppended on a
 * replica that may not append" and the node stopped (process-crashed). The
 * decision now uses one time per step; the records are written but not
 * acknowledged (the lease has lapsed). Real LevelDB.
 */
import * as assert from 'node:assert/strict';
import { ReplicaMachine, encodeRecordBody } from '@shoal/core';
import { createLogger } from '@shoal/wire';
import { CacheBudget } from '../src/batch-cache';
import { NodeDriver } from '../src/node-driver';
import { NodeMetrics } from '../src/node-metrics';
import { Replica } from '../src/replica';
import { NodeStore } from '../src/store/node-store';
import { levelPair, type KvPair } from './helpers/store-fixtures';

const LEASE_UNTIL_MS = 10_000;

describe('leader whose lease lapses mid-append (real LevelDB)', () => {
  let pair: KvPair;
  beforeEach(async () => { pair = await levelPair(); });
  afterEach(async () => { await pair.dispose(); });

  it('does not crash the node, and acknowledges nothing', async () => {
    let monoMs = LEASE_UNTIL_MS - 5;
    let fatal: unknown;
    const logger = createLogger('lease-lapse-test', {}, 'error');
    const metrics = new NodeMetrics('a1', () => []);
    const store = await NodeStore.open(pair.index, pair.data, false);
    const driver = new NodeDriver({
      selfId: 'a1', store, proposer: { propose: () => undefined }, monoClock: () => monoMs, leaseUntilMs: () => LEASE_UNTIL_MS, clock: () => 1_000_000, retentionMs: () => undefined,
      logger, metrics, onFatal: (err) => { fatal = err; },
    });
    const shard = { streamId: 's1', shardId: 'shardId-000000000000' };
    const log = store.shard(shard);
    const machine = new ReplicaMachine('a1', (await log.load()).state);
    machine.applyConfig({ epoch: 1, leader: 'a1', replicas: ['a1', 'b1', 'c1'], isr: ['a1', 'b1'], revision: 1 }, monoMs);
    const replica = new Replica(shard, 's', log, machine, 0, {
      selfId: 'a1', limitsOn: false, metrics, cacheBudget: new CacheBudget(1 << 20, 1 << 20), truncateBelowHw: false,
      // The wall clock is read while the batch is assembled (arrival time): the lease runs out right then.
      clock: () => { monoMs = LEASE_UNTIL_MS + 1; return 1_000_000; },
    }, logger);
    driver.add(replica);
    const body = encodeRecordBody([{ partitionKey: 'k', data: Buffer.from('v') }]);
    const answer = driver.appendShards([{ shard: { stream_id: shard.streamId, shard_id: shard.shardId }, epoch: 1, records_body: body, record_count: 1, record_overhead_bytes: 0 }]);
    // Let the driver run the append (LevelDB write included), then stop it: waiters are answered on close.
    for (let i = 0; i < 50 && machine.logEndOffset() === 0 && fatal === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    await driver.remove(replica);
    const [res] = await answer;
    assert.equal(fatal, undefined, `the node would stop: ${String(fatal)}`);
    assert.equal(machine.logEndOffset(), 1, 'the admitted batch is in the log');
    assert.equal((await log.load()).state.logEndOffset, 1, 'and in the store');
    assert.notEqual(res!.error, 'OK', 'acknowledged with a lapsed lease');
  });
});

/**
 * Regression (chaos etcd-leader-kill): with etcd out of quorum a leader's
 * lease ran out while it was assembling a group commit, between
 * appendAsLeader's lease check and leaderAppended's: leaderAppended threw
 * "leaderAppended on a replica that may not append" and the node stopped
 * (process-crashed). The decision now uses one time; the records are
 * written but not acknowledged (the lease has lapsed). Real LevelDB.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { encodeRecordBody } from '@shoal/core';
import { createLogger } from '@shoal/wire';
import { NodeMetrics } from '../src/node-metrics';
import { ReplicaDriver } from '../src/replica-driver';
import { ShardLog, type NodeDb } from '../src/shard-log';

const BASE_DIR = '/tmp/h-storage';
const LEASE_UNTIL_MS = 10_000;

describe('leader whose lease lapses mid-append (real LevelDB)', () => {
  let dir: string;
  let db: NodeDb;

  beforeEach(async () => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'lapse-'));
    db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not crash the node, and acknowledges nothing', async () => {
    let monoMs = LEASE_UNTIL_MS - 5;
    let fatal: unknown;
    const shard = { streamId: 's1', shardId: 'shardId-000000000000' };
    const driver = await ReplicaDriver.open({
      selfId: 'a1', limitsOn: false,
      // The wall clock is read while the batch is assembled (arrival time): the lease runs out right then.
      clock: () => { monoMs = LEASE_UNTIL_MS + 1; return 1_000_000; },
      monoClock: () => monoMs,
      leaseUntilMs: () => LEASE_UNTIL_MS,
      isrWriter: { write: async () => true },
      logger: createLogger('lease-lapse-test', {}, 'error'),
      metrics: new NodeMetrics('a1', () => []),
      onFatal: (err) => { fatal = err; },
      shard, streamName: 's', log: new ShardLog(db, shard, false), peers: { send: () => true },
    }, { epoch: 1, leader: 'a1', replicas: ['a1', 'b1', 'c1'], isr: ['a1', 'b1'], version: 1 });
    monoMs = LEASE_UNTIL_MS - 5;
    const body = encodeRecordBody([{ partitionKey: 'k', data: Buffer.from('v') }]);
    const answer = driver.append({ records: [], records_body: body, record_count: 1, epoch: 1 });
    // Let the driver loop run the append (LevelDB write included), then stop it: waiters are answered on close.
    for (let i = 0; i < 50 && driver.machine.logEndOffset() === 0 && fatal === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    await driver.close();
    const res = await answer;
    assert.equal(fatal, undefined, `the node would stop: ${String(fatal)}`);
    assert.equal(driver.machine.logEndOffset(), 1, 'the admitted batch is in the log');
    assert.notEqual(res.error, 'OK', 'acknowledged with a lapsed lease');
  });
});

/**
 * A leader's node driver step sends its followers the step's batches while
 * its own store write is in flight, so a follower's write overlaps the
 * leader's; the producer is answered only once the follower acknowledged
 * AND the leader's write ended. The store's writes are held and released
 * by the test (MemoryKv). Then the leadership moves, and the replica,
 * now a follower, drops its batch cache (only leaders cache).
 */
import * as assert from 'node:assert/strict';
import { ReplicaMachine, encodeRecordBody, type AppendAck } from '@shoal/core';
import { createLogger, type ShardAppend, type ShardAppendResult } from '@shoal/wire';
import { CacheBudget } from '../src/batch-cache';
import { NodeDriver } from '../src/node-driver';
import { NodeMetrics } from '../src/node-metrics';
import { Replica } from '../src/replica';
import { MemoryKv } from '../src/store/memory-kv';
import { NodeStore } from '../src/store/node-store';

const SHARD = { streamId: 's1', shardId: 'shardId-000000000000' };

/** Store writes complete only when released (while held). */
class HeldDisk {
  held = false;
  private waiting: Array<() => void> = [];
  readonly complete = (done: () => void): void => {
    if (this.held) this.waiting.push(done); else void Promise.resolve().then(done);
  };

  pending(): number { return this.waiting.length; }

  release(): void {
    this.held = false;
    for (const done of this.waiting.splice(0)) done();
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('node driver: sends during the store write', () => {
  it('sends a batch to the follower while its own write is held, and answers the producer only after both', async () => {
    const disk = new HeldDisk();
    const logger = createLogger('send-during-write-test', {}, 'error');
    const metrics = new NodeMetrics('a1', () => []);
    const store = await NodeStore.open(new MemoryKv(disk.complete), new MemoryKv(disk.complete), true);
    let fatal: unknown;
    const driver = new NodeDriver({
      selfId: 'a1', store, proposer: { propose: () => undefined }, monoClock: () => performance.now(), leaseUntilMs: () => Number.MAX_SAFE_INTEGER,
      clock: () => Date.now(), retentionMs: () => undefined, logger, metrics, onFatal: (err) => { fatal = err; },
    });
    const sent: ShardAppend[] = [];
    driver.setPeers({ reachable: (id) => id === 'b1', send: (_id, appends) => { sent.push(...appends); return true; } });
    const log = store.shard(SHARD);
    const machine = new ReplicaMachine('a1', (await log.load()).state);
    machine.applyConfig({ epoch: 1, leader: 'a1', replicas: ['a1', 'b1'], isr: ['a1', 'b1'], revision: 1 }, performance.now());
    const replica = new Replica(SHARD, 's', log, machine, 0, {
      selfId: 'a1', limitsOn: false, clock: () => Date.now(), metrics, cacheBudget: new CacheBudget(1 << 20, 1 << 20), truncateBelowHw: false,
    }, logger);
    driver.add(replica);
    await until(() => disk.pending() === 0 && sent.length === 1, 'the new leader probed its follower');
    const ackOf = (a: ShardAppend, logEndOffset: number): AppendAck => ({ epoch: 1, error: 'OK', logEndOffset, lastEpoch: logEndOffset > 0 ? 1 : 0, highWatermark: 0, sendSeq: Number(a.send_seq) });
    driver.ack('b1', SHARD, ackOf(sent[0]!, 0));

    let answered: ShardAppendResult | undefined;
    disk.held = true;
    const body = encodeRecordBody([{ partitionKey: 'k', data: Buffer.from('record') }]);
    void driver.appendShards([{ shard: { stream_id: SHARD.streamId, shard_id: SHARD.shardId }, epoch: 1, records_body: body, record_count: 1, record_overhead_bytes: 0 }])
      .then(([res]) => { answered = res; });
    await until(() => disk.pending() > 0 && sent.length === 2, 'the record is being written and was sent during the write');
    assert.equal(sent[1]!.batches?.length, 1, 'the send carries the batch');
    driver.ack('b1', SHARD, ackOf(sent[1]!, 1));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(answered, undefined, 'answered before the leader stored the record');
    assert.equal(machine.highWatermark(), 0);
    disk.release();
    await until(() => answered !== undefined, 'the record is answered once stored and acknowledged');
    assert.equal(answered!.error, 'OK');
    assert.equal(machine.highWatermark(), 1);
    assert.equal(fatal, undefined);

    // Only a leader caches (batch-cache.ts): the batch it sent from its cache is there, and once the
    // shard's leadership moves this replica follows and its cache is empty.
    assert.equal(replica.cache.startOffset(), 0, 'the leader cached its batch');
    replica.enqueue({ kind: 'config', config: { epoch: 2, leader: 'b1', replicas: ['a1', 'b1'], isr: ['a1', 'b1'], revision: 2 } });
    driver.touch(replica);
    await until(() => machine.role() !== 'leader', 'the replica follows');
    assert.equal(replica.cache.startOffset(), Infinity, 'a follower keeps no batches');
    assert.deepEqual((await replica.reader.batchesFrom(0, 1, 1 << 20)).map((b) => b.firstOffset), [0], 'reads come from the store');
    await driver.remove(replica);
  });
});

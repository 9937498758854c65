/**
 * A leader's node driver step sends its followers the step's batches while
 * its own store write is in flight, so a follower's write overlaps the
 * leader's; the producer is answered only once the follower acknowledged
 * AND the leader's write ended. The store's writes are held and released
 * by the test (MemoryKv). Then the leadership moves, and the replica,
 * now a follower, drops its batch cache (only leaders cache).
 */
import * as assert from 'node:assert/strict';
import type { ShardAppendResult } from '@shoal/wire';
import { MemoryKv } from '../src/store/memory-kv';
import { NodeStore } from '../src/store/node-store';
import { leaderFixture, until } from './helpers/driver-fixtures';

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

describe('node driver: sends during the store write', () => {
  it('sends a batch to the follower while its own write is held, and answers the producer only after both', async () => {
    const disk = new HeldDisk();
    const store = await NodeStore.open(new MemoryKv(disk.complete), new MemoryKv(disk.complete), true);
    const { driver, replica, machine, sent, fatal, append, ack } = await leaderFixture(store);
    await until(() => disk.pending() === 0, 'the probe\'s write is done');

    let answered: ShardAppendResult | undefined;
    disk.held = true;
    void append(Buffer.from('record')).then((res) => { answered = res; });
    await until(() => disk.pending() > 0 && sent.length === 2, 'the record is being written and was sent during the write');
    assert.equal(sent[1]!.batches?.length, 1, 'the send carries the batch');
    ack(sent[1]!, 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(answered, undefined, 'answered before the leader stored the record');
    assert.equal(machine.highWatermark(), 0);
    disk.release();
    await until(() => answered !== undefined, 'the record is answered once stored and acknowledged');
    assert.equal(answered!.error, 'OK');
    assert.equal(machine.highWatermark(), 1);
    assert.equal(fatal(), undefined);

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

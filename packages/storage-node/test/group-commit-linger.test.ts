/**
 * While a node is busy, a leader's appends for a shard wait (linger) for
 * more of the shard's records until the node timer ends the wait, and then
 * go as ONE batch; appends that already hold GROUP_COMMIT_LINGER_BYTES go
 * at once, and so does an append to an idle node. The timer is the
 * test's: nothing here depends on how fast the machine is.
 */
import * as assert from 'node:assert/strict';
import type { ShardAppend } from '@shoal/wire';
import { GROUP_COMMIT_LINGER_BYTES } from '../src/storage-limits';
import { MemoryKv } from '../src/store/memory-kv';
import { NodeStore } from '../src/store/node-store';
import { leaderFixture, until } from './helpers/driver-fixtures';

/** Longer than the test: only the test's timer ends a wait. */
const LINGER_MS = 60_000;

const settleTurns = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('node driver: group commit linger', () => {
  it('commits at once on an idle node; then holds small appends until the timer as one batch, and sends a large one at once', async () => {
    const store = await NodeStore.open(new MemoryKv(), new MemoryKv(), true);
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const { driver, replica, machine, sent, fatal, append, ack } = await leaderFixture(store, {
      groupCommitLingerMs: LINGER_MS, setTimer: (fn, ms) => { timers.push({ fn, ms }); },
    });

    // Carrying batches: sends from `from` on that carry records (others only move the follower's high watermark).
    const carrying = (from: number): ShardAppend | undefined => sent.slice(from).find((s) => (s.batches?.length ?? 0) > 0);
    const lone = append(Buffer.from('zero'));
    await until(() => carrying(1) !== undefined, 'an append to an idle node is sent at once');
    assert.equal(timers.length, 0, 'no wait on an idle node');
    ack(carrying(1)!, 1);
    assert.equal((await lone).first_offset, 0);
    await until(() => machine.highWatermark() === 1, 'the follower knows the commit');
    await settleTurns();
    const sentIdle = sent.length;

    const first = append(Buffer.from('one'));
    await settleTurns();
    const second = append(Buffer.from('two'));
    await settleTurns();
    assert.equal(sent.length, sentIdle, 'small appends wait for more records while the node is busy');
    assert.equal(machine.logEndOffset(), 1);
    assert.deepEqual(timers.map((t) => t.ms), [LINGER_MS], 'one node timer for the wait');

    timers[0]!.fn();
    await until(() => carrying(sentIdle) !== undefined, 'the timer ended the wait');
    assert.equal(carrying(sentIdle)!.batches?.length, 1, 'both appends went as one batch');
    assert.equal(machine.logEndOffset(), 3);
    ack(carrying(sentIdle)!, 3);
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual([a.error, a.first_offset, b.error, b.first_offset], ['OK', 1, 'OK', 2]);

    const sentBefore = sent.length;
    const large = append(Buffer.alloc(GROUP_COMMIT_LINGER_BYTES, 7));
    await until(() => carrying(sentBefore) !== undefined, 'a large append is sent without waiting');
    assert.equal(timers.length, 1, 'no wait was armed for it');
    ack(carrying(sentBefore)!, 4);
    assert.equal((await large).first_offset, 3);
    assert.equal(fatal(), undefined);
    await driver.remove(replica);
  });
});

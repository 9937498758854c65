import assert from 'node:assert/strict';
import { KinesisError, shardIdFromIndex } from '@shoal/core';
import type { ReadResponse__Output } from '@shoal/wire';
import { callShardLeader } from '../../src/storage/read-from-leader';
import { RETRY_POLICY } from '../../src/storage/retry-policy';
import { ClusterView, ScriptedStorage, addStream, fakeContext } from '../helpers/fake-context';

const answer = (error: ReadResponse__Output['error']): ReadResponse__Output => ({ error, error_message: '', records: [], high_watermark: 0, log_start_offset: 0, last_arrival_ms: 0 });
const notFound = (): KinesisError => new KinesisError('ResourceNotFoundException', 'gone');

describe('callShardLeader (reads under the retry policy)', () => {
  it('a deposed leader that is still registered is not asked again at once: the retry waits for the routing to change', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const shardId = shardIdFromIndex(0);
    const asked: string[] = [];
    const ctx = fakeContext(view, new ScriptedStorage(), (v) => {
      const shard = v.shard(stream.streamId, shardId)!;
      v.shards.get(stream.streamId)!.set(shardId, { value: { ...shard.value, leader: 'n2', epoch: 2 }, modRevision: '2' });
    });
    const changedBeforeWait: boolean[] = [];
    const waitFor = ctx.metadata.waitFor;
    ctx.metadata.waitFor = async (predicate, timeoutMs) => { changedBeforeWait.push(predicate(view)); return waitFor(predicate, timeoutMs); };
    const res = await callShardLeader(ctx, stream.streamId, shardId, notFound, async (shard) => { asked.push(shard.leader); return answer(shard.leader === 'n1' ? 'NOT_LEADER' : 'OK'); });
    assert.equal(res.error, 'OK');
    assert.deepEqual(asked, ['n1', 'n2']);
    assert.deepEqual(changedBeforeWait, [false], 'n1 is registered and its record unchanged: the retry waited instead of asking n1 again');
  });

  it('a read that broke at the transport is retried (reads change nothing); attempts are bounded', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    let calls = 0;
    const ctx = fakeContext(view, new ScriptedStorage());
    await assert.rejects(callShardLeader(ctx, stream.streamId, shardIdFromIndex(0), notFound, async () => { calls++; throw new Error('socket hang up'); }),
      (e: unknown) => e instanceof KinesisError && e.type === 'ServiceUnavailable');
    assert.equal(calls, 3);
  });

  it('answers that are final are returned at once (the caller maps them)', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    for (const code of ['THROTTLED', 'OUT_OF_RANGE', 'NOT_ENOUGH_REPLICAS', 'INTERNAL'] as const) {
      let calls = 0;
      const res = await callShardLeader(fakeContext(view, new ScriptedStorage()), stream.streamId, shardIdFromIndex(0), notFound, async () => { calls++; return answer(code); });
      assert.deepEqual([res.error, calls], [code, 1]);
    }
  });

  it('one table for both paths: a transport break is retried for reads only; SHARD_CLOSED reroutes appends only', () => {
    assert.equal(RETRY_POLICY.read.TRANSPORT, 'reroute');
    assert.equal(RETRY_POLICY.append.TRANSPORT, 'fail');
    assert.equal(RETRY_POLICY.append.TIMEOUT, 'fail');
    assert.equal(RETRY_POLICY.append.SHARD_CLOSED, 'closed');
    for (const code of ['NOT_LEADER', 'SHARD_NOT_FOUND', 'STALE_EPOCH', 'UNREGISTERED'] as const) {
      assert.deepEqual([RETRY_POLICY.read[code], RETRY_POLICY.append[code]], ['reroute', 'reroute'], code);
    }
  });
});

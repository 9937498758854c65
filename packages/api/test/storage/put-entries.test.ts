import assert from 'node:assert/strict';
import { RecordBatch, assembleRecordBatch, decodeSequenceNumber, KinesisError, shardIdFromIndex } from '@shoal/core';
import { putEntries } from '../../src/storage/put-entries';
import { ClusterView, ScriptedStorage, addStream, compactOk, fakeContext, okAppend, refused } from '../helpers/fake-context';

const entry = (partitionKey: string, explicitHashKey?: string) => ({ partitionKey, explicitHashKey, data: Buffer.from(partitionKey) });

describe('putEntries', () => {
  it('groups by leader node: one AppendShards per node carrying each of its shards, results in request order', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 4, ['n1', 'n2']);
    const storage = new ScriptedStorage(okAppend());
    const ctx = fakeContext(view, storage);
    const q = (1n << 126n);
    const entries = [entry('a', (3n * q).toString()), entry('b', '0'), entry('c', (3n * q + 5n).toString()), entry('d', q.toString())];
    const results = await putEntries(ctx, stream, entries);
    assert.equal(storage.appends.length, 3, 'one body per shard');
    assert.deepEqual(storage.calls.sort((a, b) => a.nodeId.localeCompare(b.nodeId)), [{ nodeId: 'n1', shards: 1 }, { nodeId: 'n2', shards: 2 }], 'one call per leader node');
    const shards = results.map((r) => (r.ok ? r.shardId : 'fail'));
    assert.deepEqual(shards, [shardIdFromIndex(3), shardIdFromIndex(0), shardIdFromIndex(3), shardIdFromIndex(1)]);
    const offsets = results.map((r) => (r.ok ? decodeSequenceNumber(r.sequenceNumber)!.offset : -1n));
    assert.deepEqual(offsets, [0n, 0n, 1n, 0n]);
    assert.equal(storage.appends.find((a) => a.request.shard?.shard_id === shardIdFromIndex(1))?.nodeId, 'n2');
  });

  it('routes by MD5 of the partition key when there is no explicit hash key', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 2);
    const ctx = fakeContext(view, new ScriptedStorage(okAppend()));
    // MD5("a") = 0cc175b9... (< 2^127): shard 0. MD5("b") = 92eb5ffe... (>= 2^127): shard 1.
    const results = await putEntries(ctx, stream, [entry('a'), entry('b')]);
    assert.deepEqual(results.map((r) => r.ok && r.shardId), [shardIdFromIndex(0), shardIdFromIndex(1)]);
  });

  it('sends the records as one record body, in request order', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const storage = new ScriptedStorage(okAppend());
    const keys = ['a', 'é漢🙂', 'x'.repeat(256)];
    await putEntries(fakeContext(view, storage), stream, [...keys.map((k) => entry(k)), entry('k', '12345')]);
    const req = storage.appends[0]!.request;
    assert.equal(req.record_count, 4);
    const body = Buffer.from(req.records_body as Uint8Array);
    const batch = RecordBatch.parse(assembleRecordBatch(1, 0, 7, [{ body, start: 0, end: body.length, count: 4 }]), true);
    if (typeof batch === 'string') throw new Error(batch);
    assert.deepEqual([...batch.records()].map((r) => [r.partitionKey, r.data.toString()]), [...keys, 'k'].map((k) => [k, k]));
  });

  it('fails the call when a node answers a shard without its results (it did not read the body)', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const storage = new ScriptedStorage(async () => compactOk(0, 0));
    await assert.rejects(putEntries(fakeContext(view, storage), stream, [entry('a')]), /0 results for 1 records/);
  });

  it('one shard refused, another committed, in the same call to a node: only the refused one is retried', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 2, ['n1', 'n1']);
    const ok = okAppend();
    let refusedOnce = false;
    const storage = new ScriptedStorage(async (nodeId, request) => {
      if (request.shard?.shard_id === shardIdFromIndex(1) && !refusedOnce) { refusedOnce = true; return refused('NOT_LEADER'); }
      return ok(nodeId, request);
    });
    const ctx = fakeContext(view, storage, (v) => {
      const shard = v.shard(stream.streamId, shardIdFromIndex(1))!;
      v.shards.get(stream.streamId)!.set(shard.value.shardId, { value: { ...shard.value, leader: 'n2', epoch: 2 }, modRevision: '2' });
    });
    const q = 1n << 127n;
    const results = await putEntries(ctx, stream, [entry('a', '0'), entry('b', q.toString())]);
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(storage.calls, [{ nodeId: 'n1', shards: 2 }, { nodeId: 'n2', shards: 1 }]);
    assert.deepEqual(storage.appends.map((a) => a.request.shard?.shard_id), [shardIdFromIndex(0), shardIdFromIndex(1), shardIdFromIndex(1)]);
  });

  it('a call that breaks at the transport fails every shard it carried, without a retry (it may have appended)', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 2, ['n1', 'n1']);
    const storage = new ScriptedStorage(async () => { throw new Error('socket hang up'); });
    const results = await putEntries(fakeContext(view, storage), stream, [entry('a', '0'), entry('b', (1n << 127n).toString())]);
    assert.equal(storage.calls.length, 1);
    assert.deepEqual(results.map((r) => !r.ok && r.errorType), ['InternalFailure', 'InternalFailure']);
  });

  it('retries on the new leader after NOT_LEADER, once the view changes', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const ok = okAppend();
    const storage = new ScriptedStorage(async (nodeId, request) => nodeId === 'n1'
      ? refused('NOT_LEADER')
      : ok(nodeId, request));
    const ctx = fakeContext(view, storage, (v) => {
      const shard = v.shard(stream.streamId, shardIdFromIndex(0))!;
      v.shards.get(stream.streamId)!.set(shard.value.shardId, { value: { ...shard.value, leader: 'n2', epoch: 2 }, modRevision: '2' });
    });
    const results = await putEntries(ctx, stream, [entry('a'), entry('b')]);
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(storage.appends.map((a) => [a.nodeId, a.request.epoch]), [['n1', 1], ['n2', 2]]);
  });

  it('retries at once when the view changed while the refused attempt was in flight', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const ok = okAppend();
    const storage = new ScriptedStorage(async (nodeId, request) => {
      if (nodeId !== 'n1') return ok(nodeId, request);
      // The new leader's record arrives through the watch before the old leader's answer.
      const shard = view.shard(stream.streamId, shardIdFromIndex(0))!;
      view.shards.get(stream.streamId)!.set(shard.value.shardId, { value: { ...shard.value, leader: 'n2', epoch: 2 }, modRevision: '2' });
      return refused('NOT_LEADER');
    });
    const ctx = fakeContext(view, storage);
    const satisfiedAtOnce: boolean[] = [];
    const waitFor = ctx.metadata.waitFor;
    ctx.metadata.waitFor = async (predicate, timeoutMs) => { satisfiedAtOnce.push(predicate(view)); return waitFor(predicate, timeoutMs); };
    const results = await putEntries(ctx, stream, [entry('a')]);
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(satisfiedAtOnce, [true]);
    assert.deepEqual(storage.appends.map((a) => [a.nodeId, a.request.epoch]), [['n1', 1], ['n2', 2]]);
  });

  it('does not send to a shard whose leadership is being handed over; waits without using up an attempt', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const shard = view.shard(stream.streamId, shardIdFromIndex(0))!;
    view.shards.get(stream.streamId)!.set(shard.value.shardId, { value: { ...shard.value, handoverTo: 'n2', handoverRequestedMs: 1 }, modRevision: '2' });
    const storage = new ScriptedStorage(okAppend());
    let waits = 0;
    const ctx = fakeContext(view, storage, (v) => {
      if (++waits < 3) { // two more view changes that still show the handover
        const cur = v.shard(stream.streamId, shardIdFromIndex(0))!;
        v.shards.get(stream.streamId)!.set(cur.value.shardId, { value: cur.value, modRevision: String(Number(cur.modRevision) + 1) });
        return;
      }
      const { handoverTo: _to, handoverRequestedMs: _at, ...rest } = shard.value;
      v.shards.get(stream.streamId)!.set(shard.value.shardId, { value: { ...rest, leader: 'n2', epoch: 2 }, modRevision: '9' });
    });
    const results = await putEntries(ctx, stream, [entry('a')]);
    assert.ok(results.every((r) => r.ok));
    assert.deepEqual(storage.appends.map((a) => [a.nodeId, a.request.epoch]), [['n2', 2]]);
  });

  it('never retries TIMEOUT (it may have appended): InternalFailure per record', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const storage = new ScriptedStorage(async () => refused('TIMEOUT', 'slow'));
    const results = await putEntries(fakeContext(view, storage), stream, [entry('a')]);
    assert.equal(storage.appends.length, 1);
    assert.deepEqual(results, [{ ok: false, errorType: 'InternalFailure', message: 'Internal service failure.' }]);
  });

  it('maps NOT_ENOUGH_REPLICAS to ServiceUnavailable without a retry', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const storage = new ScriptedStorage(async () => refused('NOT_ENOUGH_REPLICAS'));
    const [r] = await putEntries(fakeContext(view, storage), stream, [entry('a')]);
    assert.equal(storage.appends.length, 1);
    assert.equal(r?.ok === false && r.errorType, 'ServiceUnavailable');
  });

  it('gives up after APPEND_ATTEMPTS_MAX when the view never changes', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const storage = new ScriptedStorage(async () => refused('SHARD_NOT_FOUND'));
    const [r] = await putEntries(fakeContext(view, storage), stream, [entry('a')]);
    assert.equal(storage.appends.length, 3);
    assert.equal(r?.ok === false && r.errorType, 'InternalFailure');
  });

  it('reports throttled records with the shard rate message', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const storage = new ScriptedStorage(async (_n, req) => compactOk(0, req.record_count ?? 0, [1]));
    const results = await putEntries(fakeContext(view, storage), stream, [entry('a'), entry('b')]);
    assert.ok(results[0]!.ok);
    assert.deepEqual(results[1], {
      ok: false, errorType: 'ProvisionedThroughputExceededException',
      message: 'Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.',
    });
  });

  it('rejects hash key 2^128 (2^128-1 is fine) and oversized records before sending anything', async () => {
    const view = new ClusterView();
    const stream = addStream(view, 's', 1);
    const storage = new ScriptedStorage(okAppend());
    const ctx = fakeContext(view, storage);
    await assert.rejects(putEntries(ctx, stream, [entry('a', (1n << 128n).toString())]),
      (e: unknown) => e instanceof KinesisError && e.type === 'InvalidArgumentException'
        && e.message === `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${1n << 128n}`);
    assert.equal(storage.appends.length, 0);
    assert.ok((await putEntries(ctx, stream, [entry('a', ((1n << 128n) - 1n).toString())]))[0]!.ok);
    const exact = { partitionKey: 'k', data: Buffer.alloc(1024 * 1024 - 1) };
    assert.ok((await putEntries(ctx, stream, [exact]))[0]!.ok);
    await assert.rejects(putEntries(ctx, stream, [{ partitionKey: 'k', data: Buffer.alloc(1024 * 1024) }]),
      (e: unknown) => e instanceof KinesisError && e.type === 'ValidationException');
  });
});

import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { RecordBatch, encodeRecordBatch } from '@shoal/core';
import { ShardLog, listStoredShards, type NodeDb } from '../src/shard-log';

const BASE_DIR = '/tmp/h-storage';

function batch(epoch: number, first: number, arrivals: number[]): RecordBatch {
  const b = RecordBatch.parse(encodeRecordBatch(epoch, first, arrivals.map((t, i) => ({ arrivalMs: t, partitionKey: `k${first + i}`, data: Buffer.from(`d${first + i}`) }))), true);
  if (typeof b === 'string') throw new Error(b);
  return b;
}

describe('shard-log (real LevelDB)', () => {
  let dir: string;
  let db: NodeDb;
  const ref = { streamId: 's1', shardId: 'shardId-000000000000' };
  const other = { streamId: 's1', shardId: 'shardId-000000000001' };

  beforeEach(async () => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'log-'));
    db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a fresh log loads as empty', async () => {
    const { state, lastArrivalMs } = await new ShardLog(db, ref, false).load();
    assert.deepEqual(state, { epoch: 0, logStartOffset: 0, logEndOffset: 0, highWatermark: 0, epochCache: [] });
    assert.equal(lastArrivalMs, 0);
  });

  it('survives reopening: log end from the last batch, hw and epoch cache from their keys', async () => {
    const log = new ShardLog(db, ref, false);
    await log.append([batch(1, 0, [10, 11]), batch(1, 2, [12])], { epoch: 1, logStartOffset: 0, logEndOffset: 3, highWatermark: 2, epochCache: [{ epoch: 1, startOffset: 0 }] });
    await log.append([batch(2, 3, [20, 30])], { epoch: 2, logStartOffset: 0, logEndOffset: 5, highWatermark: 3, epochCache: [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 3 }] });
    await db.close();
    db = new Level<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
    const { state, lastArrivalMs } = await new ShardLog(db, ref, false).load();
    assert.deepEqual(state, { epoch: 2, logStartOffset: 0, logEndOffset: 5, highWatermark: 3, epochCache: [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 3 }] });
    assert.equal(lastArrivalMs, 30);
  });

  it('finds batches by offset (inside a batch too) and offsets by arrival time', async () => {
    const log = new ShardLog(db, ref, false);
    await log.append([batch(1, 0, [10, 11]), batch(1, 2, [12, 12, 15]), batch(1, 5, [20])], { epoch: 1, logStartOffset: 0, logEndOffset: 6, highWatermark: 6, epochCache: [{ epoch: 1, startOffset: 0 }] });
    assert.deepEqual((await log.batchesFrom(3, 6, 1 << 20)).map((b) => b.firstOffset), [2, 5]);
    assert.deepEqual((await log.batchesFrom(0, 5, 1 << 20)).map((b) => b.firstOffset), [0, 2], 'end bounds the batches');
    assert.deepEqual((await log.batchesFrom(0, 6, 1)).map((b) => b.firstOffset), [0], 'byte budget, at least one batch');
    assert.deepEqual(await log.batchesFrom(6, 6, 1 << 20), []);
    assert.equal(await log.offsetAtTime(0, 6), 0);
    assert.equal(await log.offsetAtTime(12, 6), 2);
    assert.equal(await log.offsetAtTime(13, 6), 4);
    assert.equal(await log.offsetAtTime(16, 6), 5);
    assert.equal(await log.offsetAtTime(16, 5), undefined, 'not below end');
    assert.equal(await log.offsetAtTime(21, 6), undefined);
  });

  it('destroy deletes only its own shard, and listStoredShards sees what is left', async () => {
    const a = new ShardLog(db, ref, false);
    const b = new ShardLog(db, other, false);
    const st = { epoch: 1, logStartOffset: 0, logEndOffset: 1, highWatermark: 1, epochCache: [{ epoch: 1, startOffset: 0 }] };
    await a.append([batch(1, 0, [1])], st);
    await b.append([batch(1, 0, [1])], st);
    assert.equal((await listStoredShards(db)).length, 2);
    await a.destroy();
    assert.deepEqual(await listStoredShards(db), [other]);
    assert.equal((await a.load()).state.logEndOffset, 0);
    assert.equal((await b.load()).state.logEndOffset, 1);
  });

  it('truncates whole batches from the end (a straddling batch goes whole), with time keys and state in one write', async () => {
    const log = new ShardLog(db, ref, false);
    const st = (end: number, cache: Array<{ epoch: number; startOffset: number }>) => ({ epoch: 3, logStartOffset: 0, logEndOffset: end, highWatermark: 2, epochCache: cache });
    await log.append([batch(1, 0, [10, 11]), batch(2, 2, [20, 21, 22]), batch(2, 5, [30])], st(6, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 2 }]));
    let asked = -1;
    const res = await log.truncate(3, (end) => { asked = end; return st(end, [{ epoch: 1, startOffset: 0 }]); });
    assert.deepEqual(res, { logEnd: 2, lastArrivalMs: 11 });
    assert.equal(asked, 2);
    const { state } = await new ShardLog(db, ref, false).load();
    assert.equal(state.logEndOffset, 2);
    assert.deepEqual(state.epochCache, [{ epoch: 1, startOffset: 0 }]);
    assert.equal((await log.batchesFrom(0, 10, 1 << 20)).length, 1);
    assert.equal(await log.offsetAtTime(20, 10), undefined, 'time keys of removed batches are gone');
    assert.deepEqual(await log.truncate(2, (end) => st(end, [{ epoch: 1, startOffset: 0 }])), { logEnd: 2, lastArrivalMs: 11 }, 'at a boundary: nothing to do');
  });
});

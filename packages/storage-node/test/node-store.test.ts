import * as assert from 'node:assert/strict';
import { NodeStore } from '../src/store/node-store';
import { batch, levelPair, memoryPair, state, type KvPair } from './helpers/store-fixtures';

const ref = { streamId: 's1', shardId: 'shardId-000000000000' };
const other = { streamId: 's1', shardId: 'shardId-000000000001' };

for (const kind of ['memory', 'leveldb'] as const) {
  describe(`node-store (${kind})`, () => {
    let pair: KvPair;
    let store: NodeStore;
    let nowMs = 0;
    /** A clock that moves 10 s per write unless a test holds it still. */
    let step = 10_000;
    const open = async (): Promise<NodeStore> => NodeStore.open(pair.index, pair.data, false, undefined, () => (nowMs += step));

    beforeEach(async () => {
      pair = kind === 'memory' ? memoryPair() : await levelPair();
      store = await open();
    });
    afterEach(async () => { await pair.dispose(); });

    it('a fresh log loads as empty', async () => {
      const { state: s, lastArrivalMs } = await store.shard(ref).load();
      assert.deepEqual(s, { epoch: 0, logStartOffset: 0, logEndOffset: 0, highWatermark: 0, epochCache: [] });
      assert.equal(lastArrivalMs, 0);
    });

    it('one node-wide write carries several shards; reopening restores each (log end from the last batch, hw, epoch cache)', async () => {
      const a = store.shard(ref);
      const b = store.shard(other);
      await store.write([
        { log: a, batches: [batch(1, 0, [10, 11]), batch(1, 2, [12])], state: state(3, 2) },
        { log: b, batches: [batch(1, 0, [5])], state: state(1, 1) },
      ]);
      await store.write([{ log: a, batches: [batch(2, 3, [20, 30])], state: { epoch: 2, logStartOffset: 0, logEndOffset: 5, highWatermark: 3, epochCache: [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 3 }] } }]);
      pair = await pair.reopen();
      store = await open();
      const loaded = await store.shard(ref).load();
      assert.deepEqual(loaded.state, { epoch: 2, logStartOffset: 0, logEndOffset: 5, highWatermark: 3, epochCache: [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 3 }] });
      assert.equal(loaded.lastArrivalMs, 30);
      assert.equal((await store.shard(other).load()).state.logEndOffset, 1);
      await store.write([{ log: store.shard(other), batches: [batch(1, 1, [6])], state: state(2) }]);
      assert.deepEqual((await store.shard(other).batchesFrom(0, 2, 1 << 20)).map((x) => x.firstOffset), [0, 1], 'new data keys do not reuse old ones');
      assert.deepEqual((await store.shard(ref).batchesFrom(0, 5, 1 << 20)).map((x) => x.firstOffset), [0, 2, 3]);
    });

    it('while batches flow the high watermark is stored at most every second; a write without batches stores it', async () => {
      step = 100;
      try {
        const log = store.shard(ref);
        await store.write([{ log, batches: [batch(1, 0, [1])], state: state(1, 1) }]);
        await store.write([{ log, batches: [batch(1, 1, [2])], state: state(2, 2) }]);
        assert.equal((await store.shard(ref).load()).state.highWatermark, 1, 'the second hw is not stored 100 ms after the first');
        for (let i = 2; i < 12; i++) await store.write([{ log, batches: [batch(1, i, [3])], state: state(i + 1, i + 1) }]);
        assert.equal((await store.shard(ref).load()).state.highWatermark, 11, 'a second later it is');
        await store.write([{ log, batches: [], state: state(12, 12) }]);
        assert.equal((await store.shard(ref).load()).state.highWatermark, 12);
      } finally {
        step = 10_000;
      }
    });

    it('finds batches by offset (inside a batch too) and offsets by arrival time', async () => {
      const log = store.shard(ref);
      await store.write([{ log, batches: [batch(1, 0, [10, 11]), batch(1, 2, [12, 12, 15]), batch(1, 5, [20])], state: state(6) }]);
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

    it('the time index is sparse (a key per second of arrival) and still finds the first record at or after any time', async () => {
      const log = store.shard(ref);
      const arrivals: number[] = [];
      let next = 0;
      for (let i = 0; i < 40; i++) {
        const times = [0, 1, 2].map((j) => 100_000 + Math.floor(((i * 3 + j) * 1000) / 7));
        await store.write([{ log, batches: [batch(1, next, times)], state: state(next + 3) }]);
        arrivals.push(...times);
        next += 3;
      }
      let timeKeys = 0;
      for await (const _ of pair.index.keys({ gte: 't!', lt: 't!~' })) timeKeys++;
      assert.ok(timeKeys < 40 && timeKeys >= Math.floor((arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000), `${timeKeys} time-index keys for 40 batches`);
      for (let ts = 99_000; ts <= 118_000; ts += 137) {
        const expected = arrivals.findIndex((t) => t >= ts);
        assert.equal(await log.offsetAtTime(ts, next), expected < 0 ? undefined : expected, `at ${ts}`);
      }
    });

    it('destroy deletes only its own shard (index and data), and listShards sees what is left', async () => {
      const a = store.shard(ref);
      const b = store.shard(other);
      await store.write([{ log: a, batches: [batch(1, 0, [1])], state: state(1) }, { log: b, batches: [batch(1, 0, [1])], state: state(1) }]);
      assert.equal((await store.listShards()).length, 2);
      await a.destroy();
      assert.deepEqual(await store.listShards(), [other]);
      assert.equal((await a.load()).state.logEndOffset, 0);
      assert.equal((await b.load()).state.logEndOffset, 1);
      let dataKeys = 0;
      for await (const _ of pair.data.keys({ gte: '0', lt: '1' })) dataKeys++;
      assert.equal(dataKeys, 1, 'the destroyed shard\'s data is gone');
    });

    it('destroy removes a shard larger than one removal chunk (4096 batches), and nothing of its neighbour', async () => {
      const a = store.shard(ref);
      const b = store.shard(other);
      const many = Array.from({ length: 4100 }, (_, i) => batch(1, i, [1_000 + i]));
      await store.write([{ log: a, batches: many, state: state(4100) }, { log: b, batches: [batch(1, 0, [1])], state: state(1) }]);
      await a.destroy();
      assert.deepEqual(await store.listShards(), [other]);
      let indexKeys = 0;
      for await (const key of pair.index.keys({ gte: '', lt: '~' })) if (key.includes(ref.streamId) && key.includes(ref.shardId)) indexKeys++;
      assert.equal(indexKeys, 0, 'no index key of the destroyed shard is left');
      let dataKeys = 0;
      for await (const _ of pair.data.keys({ gte: '0', lt: 'g' })) dataKeys++;
      assert.equal(dataKeys, 1, 'only the neighbour\'s batch is left');
      assert.equal((await b.load()).state.logEndOffset, 1);
    });

    it('truncates whole batches from the end (a straddling batch goes whole), with time keys, data and state', async () => {
      const log = store.shard(ref);
      const st = (end: number, cache: Array<{ epoch: number; startOffset: number }>) => ({ epoch: 3, logStartOffset: 0, logEndOffset: end, highWatermark: 2, epochCache: cache });
      await store.write([{ log, batches: [batch(1, 0, [10, 11]), batch(2, 2, [20, 21, 22]), batch(2, 5, [30])], state: st(6, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 2 }]) }]);
      let asked = -1;
      const res = await log.truncate(3, (end) => { asked = end; return st(end, [{ epoch: 1, startOffset: 0 }]); });
      assert.deepEqual(res, { logEnd: 2, lastArrivalMs: 11 });
      assert.equal(asked, 2);
      const { state: s } = await store.shard(ref).load();
      assert.equal(s.logEndOffset, 2);
      assert.deepEqual(s.epochCache, [{ epoch: 1, startOffset: 0 }]);
      assert.equal((await log.batchesFrom(0, 10, 1 << 20)).length, 1);
      assert.equal(await log.offsetAtTime(20, 10), undefined, 'time keys of removed batches are gone');
      assert.deepEqual(await log.truncate(2, (end) => st(end, [{ epoch: 1, startOffset: 0 }])), { logEnd: 2, lastArrivalMs: 11 }, 'at a boundary: nothing to do');
    });

    it('retention: finds the batches that expired, trims whole batches from the start and moves the log start', async () => {
      const log = store.shard(ref);
      await store.write([{ log, batches: [batch(1, 0, [10, 11]), batch(1, 2, [20, 21, 22]), batch(1, 5, [30])], state: state(6, 5) }]);
      assert.equal(await log.expiredEnd(5, 6), undefined, 'nothing arrived that early');
      assert.equal(await log.expiredEnd(22, 6), 2, 'a batch expires with its last record');
      assert.equal(await log.expiredEnd(23, 6), 5);
      assert.equal(await log.expiredEnd(100, 5), 5, 'never past the bound (the high watermark)');
      const start = await log.trimBefore(5, (logStart) => state(6, 5, 1, logStart));
      assert.equal(start, 5);
      const { state: s } = await store.shard(ref).load();
      assert.deepEqual([s.logStartOffset, s.logEndOffset, s.highWatermark], [5, 6, 5]);
      assert.deepEqual(await log.batchesFrom(0, 6, 1 << 20), [], 'nothing below the log start');
      assert.deepEqual((await log.batchesFrom(5, 6, 1 << 20)).map((b) => b.firstOffset), [5]);
      assert.equal(await log.offsetAtTime(0, 6), 5);
      let dataKeys = 0;
      for await (const _ of pair.data.keys({ gte: '0', lt: '1' })) dataKeys++;
      assert.equal(dataKeys, 1, 'the trimmed batches\' data is gone');
    });

    it('retention: while the first batch is within retention, the answer needs no index read; a removal makes it read again', async () => {
      const log = store.shard(ref);
      await store.write([{ log, batches: [batch(1, 0, [10, 11]), batch(1, 2, [20, 21, 22]), batch(1, 5, [30])], state: state(6, 5) }]);
      let reads = 0;
      const entries = store.index.entries.bind(store.index);
      Object.assign(store.index, { entries: (r: Parameters<typeof entries>[0]) => { reads++; return entries(r); } });
      const ask = async (beforeMs: number, end: number): Promise<[number | undefined, number]> => {
        const before = reads;
        return [await log.expiredEnd(beforeMs, end), reads - before];
      };
      assert.deepEqual(await ask(5, 6), [undefined, 1], 'the first answer reads the index');
      assert.deepEqual(await ask(11, 6), [undefined, 0], 'the first batch (last arrival 11) has not expired: no read');
      assert.deepEqual(await ask(12, 5), [2, 1], 'past its last arrival: read, and it expired');
      assert.deepEqual(await ask(12, 5), [2, 1], 'not trimmed yet: still read');
      await log.trimBefore(2, (logStart) => state(6, 5, 1, logStart));
      assert.deepEqual(await ask(12, 5), [undefined, 1], 'after the trim the first batch is another one: read');
      assert.deepEqual(await ask(22, 5), [undefined, 0]);
      await log.truncate(5, (end) => state(end, 5, 1, 2));
      assert.deepEqual(await ask(22, 5), [undefined, 1], 'a truncation forgets it too');
      assert.deepEqual(await ask(22, 5), [undefined, 0]);
      assert.deepEqual(await ask(23, 5), [5, 1]);
    });
  });
}

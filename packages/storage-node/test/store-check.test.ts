import * as assert from 'node:assert/strict';
import { CorruptionError } from '../src/store/corruption';
import { data, hex16, index } from '../src/store/key-layout';
import { MemoryKv } from '../src/store/memory-kv';
import { NodeStore } from '../src/store/node-store';
import { checkStore } from '../src/store/store-check';
import { batch, state } from './helpers/store-fixtures';

const ref = { streamId: 's1', shardId: 'shardId-000000000000' };
const other = { streamId: 's1', shardId: 'shardId-000000000001' };
const REF = `${ref.streamId}/${ref.shardId}`;

/** A store over memory with `n` batches of 10 records in `ref` (one write each) and one in `other`. */
async function filled(n: number, sync = false): Promise<{ index: MemoryKv; data: MemoryKv; store: NodeStore }> {
  const indexKv = new MemoryKv();
  const dataKv = new MemoryKv();
  const store = await NodeStore.open(indexKv, dataKv, sync);
  for (let i = 0; i < n; i++) {
    await store.write([{ log: store.shard(ref), batches: [batch(1, i * 10, Array.from({ length: 10 }, (_, j) => 1000 + i * 10 + j))], state: state((i + 1) * 10) }]);
  }
  await store.write([{ log: store.shard(other), batches: [batch(1, 0, [1])], state: state(1) }]);
  return { index: indexKv, data: dataKv, store };
}

describe('store-check', () => {
  it('a whole store checks clean and is left as is', async () => {
    const { index: i, data: d } = await filled(5);
    const before = [i.size(), d.size()];
    assert.deepEqual(await checkStore(i, d), { problem: undefined, lostTailBatches: 0, orphanData: 0 });
    assert.deepEqual([i.size(), d.size()], before);
  });

  it('a stray key is a problem', async () => {
    const { index: i, data: d } = await filled(2);
    assert.equal((await checkStore(i, d)).problem, undefined);
    await i.batch([{ type: 'put', key: 'x!stray', value: Buffer.alloc(0) }], false);
    assert.match((await checkStore(i, d)).problem ?? '', /unexpected index key/);
  });

  it('a power cut between the data and the index write: the index entries whose data was lost are removed, the hw lowered', async () => {
    const { index: i, data: d, store } = await filled(3, false);
    i.syncAll();
    d.syncAll();
    // The next write reaches the index's disk but not the data's.
    await store.write([{ log: store.shard(ref), batches: [batch(1, 30, [2000, 2001])], state: state(32) }]);
    d.powerCut(0);
    i.powerCut(Infinity);
    const checked = await checkStore(i, d);
    assert.deepEqual(checked, { problem: undefined, lostTailBatches: 1, orphanData: 0 });
    const reopened = await NodeStore.open(i, d, false);
    const { state: s } = await reopened.shard(ref).load();
    assert.deepEqual([s.logEndOffset, s.highWatermark], [30, 30], 'the lost batch is gone and the hw no longer beyond the log end');
    assert.equal(await reopened.shard(ref).offsetAtTime(2000, 100), undefined, 'its time-index key went too');
    assert.equal((await checkStore(i, d)).problem, undefined);
  });

  it('the reverse cut (data on disk, index lost): the data no index names is deleted', async () => {
    const { index: i, data: d, store } = await filled(3, false);
    i.syncAll();
    d.syncAll();
    await store.write([{ log: store.shard(ref), batches: [batch(1, 30, [2000])], state: state(31) }]);
    i.powerCut(0);
    d.powerCut(Infinity);
    assert.deepEqual(await checkStore(i, d), { problem: undefined, lostTailBatches: 0, orphanData: 1 });
    const reopened = await NodeStore.open(i, d, false);
    assert.equal((await reopened.shard(ref).load()).state.logEndOffset, 30);
  });

  it('data left by a removal cut short (index written, data not yet deleted) is deleted', async () => {
    const { index: i, data: d } = await filled(3);
    // As ShardLog.destroy does, but stopped after the index write.
    const dels = [];
    for await (const key of i.keys({ gte: `b!${REF}!`, lt: `b!${REF}!~` })) dels.push({ type: 'del' as const, key });
    for await (const key of i.keys({ gte: `t!${REF}!`, lt: `t!${REF}!~` })) dels.push({ type: 'del' as const, key });
    await i.batch(dels, true);
    assert.deepEqual(await checkStore(i, d), { problem: undefined, lostTailBatches: 0, orphanData: 3 });
  });

  it('a flipped bit inside a stored batch fails its CRC at the check, and at run time throws CorruptionError instead of being served', async () => {
    const { index: i, data: d, store } = await filled(5);
    const [loc] = await i.getMany([index.batchKey(REF, 20)]);
    const seq = loc!.readUInt32BE(4);
    const [value] = await d.getMany([data.key(seq)]);
    const flipped = Buffer.from(value!);
    flipped[flipped.length - 1]! ^= 0x80;
    await d.batch([{ type: 'put', key: data.key(seq), value: flipped }], false);
    assert.match((await checkStore(i, d)).problem ?? '', /CRC|crc/);
    const log = store.shard(ref);
    await assert.rejects(log.batchesFrom(20, 50, 1 << 20), CorruptionError);
    assert.equal((await log.batchesFrom(0, 10, 1 << 20)).length, 1, 'the batches before it still read');
  });

  it('a missing batch in the middle, a time-index key naming no batch and a high watermark beyond the log end are problems', async () => {
    let s = await filled(5);
    const [loc] = await s.index.getMany([index.batchKey(REF, 20)]);
    await s.data.batch([{ type: 'del', key: data.key(loc!.readUInt32BE(4)) }], false);
    assert.match((await checkStore(s.index, s.data)).problem ?? '', /missing/);
    s = await filled(5);
    await s.index.batch([{ type: 'del', key: index.batchKey(REF, 20) }], false);
    assert.match((await checkStore(s.index, s.data)).problem ?? '', /after log end/);
    s = await filled(5);
    await s.index.batch([{ type: 'put', key: index.timeKey(REF, 5000, 20), value: Buffer.alloc(0) }], false);
    assert.match((await checkStore(s.index, s.data)).problem ?? '', /time-index key .* names no batch/);
    s = await filled(5);
    const hw = Buffer.alloc(8);
    hw.writeUInt32BE(60, 4);
    await s.index.batch([{ type: 'put', key: index.hwKey(REF), value: hw }], false);
    assert.match((await checkStore(s.index, s.data)).problem ?? '', /beyond log end/);
    assert.equal(hex16(60).length, 16);
  });
});

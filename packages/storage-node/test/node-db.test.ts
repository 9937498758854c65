import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { shardIdFromIndex } from '@shoal/core';
import { createLogger } from '@shoal/wire';
import { openNodeDb, rebuildDone, rebuildMarker } from '../src/node-db';
import { LevelKv } from '../src/store/kv';
import { NodeStore } from '../src/store/node-store';
import { BASE_DIR, batch, state } from './helpers/store-fixtures';

const ref = { streamId: 's1', shardId: 'shardId-000000000000' };
const logger = createLogger('test', {}, 'error');

/** Writes `batches` batches of 10 records of 200 bytes through a node's store (DATA/leveldb). */
async function fill(dir: string, batches: number, writeBufferSize?: number): Promise<void> {
  const root = join(dir, 'leveldb');
  mkdirSync(root, { recursive: true });
  const opts = { keyEncoding: 'utf8' as const, valueEncoding: 'buffer' as const, ...(writeBufferSize ? { writeBufferSize } : {}) };
  const index = new Level<string, Buffer>(join(root, 'index'), opts);
  const data = new Level<string, Buffer>(join(root, 'data'), opts);
  await index.open();
  await data.open();
  const store = await NodeStore.open(new LevelKv(index), new LevelKv(data), false);
  for (let i = 0; i < batches; i++) {
    await store.write([{ log: store.shard(ref), batches: [batch(1, i * 10, Array.from({ length: 10 }, (_, j) => 1000 + j), 200)], state: state((i + 1) * 10) }]);
  }
  await index.close();
  await data.close();
}

describe('node-db (real LevelDB)', () => {
  let dir: string;
  beforeEach(() => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'nodedb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an intact store opens as is', async () => {
    await fill(dir, 10);
    const opened = await openNodeDb(dir, logger);
    try {
      assert.equal(opened.rebuilding, false);
      const store = await NodeStore.open(opened.index, opened.data, false);
      assert.equal((await store.shard(ref).load()).state.logEndOffset, 100);
    } finally {
      await opened.close();
    }
  });

  it('opens the index with the memtable it is given', async () => {
    /** Flushes of the index memtable to level-0 tables that LevelDB's info log reports. */
    const indexFlushes = (): number => (readFileSync(join(dir, 'leveldb', 'index', 'LOG'), 'utf8').match(/Level-0 table #\d+: started/g) ?? []).length;
    for (const [bytes, flushes] of [[64 * 1024, true], [undefined, false]] as const) {
      rmSync(join(dir, 'leveldb'), { recursive: true, force: true });
      const opened = await openNodeDb(dir, logger, bytes);
      try {
        const store = await NodeStore.open(opened.index, opened.data, false);
        for (let i = 0; i < 40; i++) {
          const writes = Array.from({ length: 20 }, (_, s) => ({ log: store.shard({ streamId: 's1', shardId: shardIdFromIndex(s) }), batches: [batch(1, i, [1000 + i], 10)], state: state(i + 1) }));
          await store.write(writes);
        }
      } finally {
        await opened.close(); // waits for LevelDB's background flushes
      }
      assert.equal(indexFlushes() > 0, flushes, `memtable ${bytes ?? 'default'}: ${indexFlushes()} flushes`);
    }
  });

  it('syncLogs fdatasyncs both write-ahead logs while writes go on', async () => {
    await fill(dir, 3);
    const opened = await openNodeDb(dir, logger);
    try {
      const store = await NodeStore.open(opened.index, opened.data, false);
      const writes = Promise.all([4, 5, 6].map((i) => store.write([{ log: store.shard(ref), batches: [batch(1, i * 10, Array.from({ length: 10 }, () => 2000), 200)], state: state((i + 1) * 10) }])));
      await Promise.all([opened.syncLogs(), writes]);
      assert.equal((await store.shard(ref).load()).state.logEndOffset, 70);
    } finally {
      await opened.close();
    }
  });

  it('write-ahead-log corruption that LevelDB drops silently on open is detected, and the store is set aside and rebuilt empty', async () => {
    await fill(dir, 50);
    const path = join(dir, 'leveldb', 'data');
    const wal = readdirSync(path).find((f) => f.endsWith('.log'))!;
    const bytes = readFileSync(join(path, wal));
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(join(path, wal), bytes);
    const opened = await openNodeDb(dir, logger);
    try {
      assert.equal(opened.rebuilding, true);
      assert.ok(existsSync(rebuildMarker(dir)), 'the marker survives until the withdrawal is done');
      assert.ok(existsSync(join(dir, 'leveldb.corrupt', 'data')), 'the corrupt store is kept aside');
      const store = await NodeStore.open(opened.index, opened.data, false);
      assert.deepEqual(await store.listShards(), [], 'the node starts from an empty store');
    } finally {
      await opened.close();
    }
    // Restarted before withdrawing: the fresh store is whole, but the marker says rebuild.
    const again = await openNodeDb(dir, logger);
    assert.equal(again.rebuilding, true);
    await again.close();
    rebuildDone(dir);
    const done = await openNodeDb(dir, logger);
    assert.equal(done.rebuilding, false);
    await done.close();
  });

  it('a flipped bit in a table file (.ldb) of the data instance is detected at open and the store rebuilt', async () => {
    await fill(dir, 200, 64 * 1024);
    const path = join(dir, 'leveldb', 'data');
    const tables = readdirSync(path).filter((f) => f.endsWith('.ldb')).sort();
    assert.ok(tables.length > 0, 'the memtable was flushed to tables');
    const file = join(path, tables[0]!);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 3)]! ^= 0x01;
    writeFileSync(file, bytes);
    const opened = await openNodeDb(dir, logger);
    try {
      assert.equal(opened.rebuilding, true);
    } finally {
      await opened.close();
    }
  });

  it('refuses a data directory of the older one-LevelDB format instead of guessing', async () => {
    const old = new Level<string, Buffer>(join(dir, 'leveldb'), { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await old.open();
    await old.put('m!s1/shardId-000000000000', Buffer.from('{}'));
    await old.close();
    await assert.rejects(openNodeDb(dir, logger), /format 1/);
  });
});

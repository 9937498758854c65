import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { RecordBatch, encodeRecordBatch, type ReplicaPersistedState } from '@shoal/core';
import { createLogger } from '@shoal/wire';
import { CorruptionError, scrubNodeDb } from '../src/db-integrity';
import { openNodeDb, rebuildDone, rebuildMarker } from '../src/node-db';
import { ShardLog, hex16, type NodeDb } from '../src/shard-log';
import { WalSyncer } from '../src/wal-sync';

const BASE_DIR = '/tmp/h-storage';
const ref = { streamId: 's1', shardId: 'shardId-000000000000' };
const logger = createLogger('test', {});

function batch(first: number, count: number): RecordBatch {
  const records = Array.from({ length: count }, (_, i) => ({ arrivalMs: 1000 + first + i, partitionKey: `k${first + i}`, data: Buffer.alloc(200, first + i) }));
  const b = RecordBatch.parse(encodeRecordBatch(1, first, records), true);
  if (typeof b === 'string') throw new Error(b);
  return b;
}

function state(end: number): ReplicaPersistedState {
  return { epoch: 1, logStartOffset: 0, logEndOffset: end, highWatermark: end, epochCache: [{ epoch: 1, startOffset: 0 }] };
}

/** Writes `batches` batches of 10 records to the shard's log. */
async function fill(db: NodeDb, batches: number): Promise<void> {
  const log = new ShardLog(db, ref, false);
  for (let i = 0; i < batches; i++) await log.append([batch(i * 10, 10)], state((i + 1) * 10));
}

describe('db-integrity and node-db (real LevelDB)', () => {
  let dir: string;
  beforeEach(() => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'integrity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function withDb(fn: (db: NodeDb) => Promise<void>): Promise<void> {
    const db = new Level<string, Buffer>(join(dir, 'leveldb'), { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
    try { await fn(db); } finally { await db.close(); }
  }

  it('a whole database scrubs clean', async () => {
    await withDb(async (db) => {
      await fill(db, 20);
      assert.equal(await scrubNodeDb(db), undefined);
    });
  });

  it('the periodic log fsync key (wal-sync.ts) is known to the scrub; any other stray key is not', async () => {
    await withDb(async (db) => {
      await fill(db, 3);
      const syncer = WalSyncer.forDb(db, 60_000, logger);
      syncer.written();
      syncer.tick();
      await syncer.close();
      assert.equal(await scrubNodeDb(db), undefined);
      await db.put('x!stray', Buffer.alloc(0));
      assert.match(await scrubNodeDb(db) ?? '', /unexpected key/);
    });
  });

  it('a flipped bit inside a stored batch fails its CRC', async () => {
    await withDb(async (db) => {
      await fill(db, 5);
      const key = `b!${ref.streamId}/${ref.shardId}!${hex16(20)}`;
      const value = Buffer.from((await db.get(key))!);
      value[100] ^= 0x04;
      await db.put(key, value);
      assert.match(await scrubNodeDb(db) ?? '', /CRC|crc/);
    });
  });

  it('a corrupt batch read at runtime throws CorruptionError (the node stops and rebuilds) instead of being served', async () => {
    await withDb(async (db) => {
      await fill(db, 5);
      const key = `b!${ref.streamId}/${ref.shardId}!${hex16(10)}`;
      const value = Buffer.from((await db.get(key))!);
      value[value.length - 1] ^= 0x80;
      await db.put(key, value);
      const log = new ShardLog(db, ref, false);
      await assert.rejects(log.batchesFrom(10, 50, 1 << 20), CorruptionError);
      assert.equal((await log.batchesFrom(0, 10, 1 << 20)).length, 1, 'the batches before it still read');
    });
  });

  it('a missing batch, a missing time-index key and a high watermark beyond the log end are caught', async () => {
    await withDb(async (db) => {
      await fill(db, 5);
      await db.del(`b!${ref.streamId}/${ref.shardId}!${hex16(20)}`);
      assert.match(await scrubNodeDb(db) ?? '', /after log end/);
    });
    rmSync(join(dir, 'leveldb'), { recursive: true });
    await withDb(async (db) => {
      await fill(db, 5);
      for await (const key of db.keys({ gte: 't!', lt: 't!~', limit: 1 })) await db.del(key);
      assert.match(await scrubNodeDb(db) ?? '', /time-index/);
    });
    rmSync(join(dir, 'leveldb'), { recursive: true });
    await withDb(async (db) => {
      await fill(db, 5);
      const hw = Buffer.alloc(8);
      hw.writeUInt32BE(60, 4);
      await db.put(`h!${ref.streamId}/${ref.shardId}`, hw);
      assert.match(await scrubNodeDb(db) ?? '', /beyond log end/);
    });
  });

  it('write-ahead-log corruption that LevelDB drops silently on open is detected, and the database is set aside and rebuilt empty', async () => {
    await withDb((db) => fill(db, 50));
    const path = join(dir, 'leveldb');
    const wal = readdirSync(path).find((f) => f.endsWith('.log'))!;
    const bytes = readFileSync(join(path, wal));
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    writeFileSync(join(path, wal), bytes);
    const opened = await openNodeDb(dir, logger);
    try {
      assert.equal(opened.rebuilding, true);
      assert.ok(existsSync(rebuildMarker(dir)), 'the marker survives until the withdrawal is done');
      assert.ok(existsSync(join(dir, 'leveldb.corrupt')), 'the corrupt database is kept aside');
      let keys = 0;
      for await (const _ of opened.db.keys()) keys++;
      assert.equal(keys, 0, 'the node starts from an empty database');
    } finally {
      await opened.db.close();
    }
    // Restarted before withdrawing: the fresh database is whole, but the marker says rebuild.
    const again = await openNodeDb(dir, logger);
    assert.equal(again.rebuilding, true);
    await again.db.close();
    rebuildDone(dir);
    const done = await openNodeDb(dir, logger);
    assert.equal(done.rebuilding, false);
    await done.db.close();
  });

  it('a flipped bit in a table file (.ldb) is detected at open and the database rebuilt', async () => {
    const path = join(dir, 'leveldb');
    const small = new Level<string, Buffer>(path, { keyEncoding: 'utf8', valueEncoding: 'buffer', writeBufferSize: 64 * 1024 });
    await small.open();
    await fill(small, 200);
    await small.close();
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
      await opened.db.close();
    }
  });

  it('an intact database opens as is', async () => {
    await withDb((db) => fill(db, 10));
    const opened = await openNodeDb(dir, logger);
    try {
      assert.equal(opened.rebuilding, false);
      assert.equal((await new ShardLog(opened.db, ref, false).load()).state.logEndOffset, 100);
    } finally {
      await opened.db.close();
    }
  });
});

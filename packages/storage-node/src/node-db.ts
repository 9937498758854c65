/**
 * Opens the node's store (DATA/leveldb: the `data` and `index` LevelDB
 * instances of store/key-layout.ts) and checks it (store/store-check.ts)
 * before any replica reads it. A corrupt store is never repaired in place
 * (LevelDB's RepairDB keeps what it can read, which can resurrect deleted
 * keys or keep a log with a hole): it is moved aside to
 * DATA/leveldb.corrupt (the previous one is deleted) and the node starts
 * empty, to be rebuilt from the shard leaders by the normal catch-up. Until
 * its replicas are out of every ISR (isr-withdrawal.ts) the node must not
 * register: the REBUILD marker file (DATA/REBUILD, written and fsynced
 * before the move, removed once the withdrawal is done) makes a node that
 * dies in between withdraw again at its next start, when the fresh store
 * alone would look healthy.
 *
 * Corruption is found three ways: LevelDB refusing to open
 * (LEVEL_CORRUPTION); LevelDB's own recovery, which opens without
 * paranoid_checks and silently DROPS a write-ahead-log record that fails
 * its checksum (with the rest of its 32 KiB block), leaving only a
 * "Corruption" line in its info log (`LOG`, new at each open); and the
 * store check, which reads every key and batch.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { Logger } from '@shoal/wire';
import { LevelKv, type LevelDb } from './store/kv';
import { checkStore } from './store/store-check';
import { LEVELDB_DATA_OPTIONS, LEVELDB_INDEX_OPTIONS } from './storage-limits';

export interface OpenedNodeDb {
  readonly index: LevelKv;
  readonly data: LevelKv;
  /** The store was rebuilt (now or at an earlier start that did not finish withdrawing): withdraw before registering. */
  readonly rebuilding: boolean;
  /**
   * fdatasyncs both instances' write-ahead logs through a descriptor of
   * their own (wal-sync.ts, --fsync off): everything written to them so far
   * is then on disk. LevelDB's writes do not wait for it (a synced LevelDB
   * write would hold every write behind it for the fsync).
   */
  syncLogs(): Promise<void>;
  close(): Promise<void>;
}

export function rebuildMarker(dataDir: string): string {
  return join(dataDir, 'REBUILD');
}

/** The lines of LevelDB's info log (of the open that just happened) that report corruption. */
function corruptionInInfoLog(dbPath: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(dbPath, 'LOG'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => /corruption/i.test(line));
}

/** Whether an error from classic-level reports corruption (not an I/O error or a held lock). */
function isLevelCorruption(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === 'LEVEL_CORRUPTION') return true;
  }
  return false;
}

interface Instances {
  readonly index: LevelDb;
  readonly data: LevelDb;
}

function newInstances(path: string, indexWriteBufferBytes: number): Instances {
  mkdirSync(path, { recursive: true });
  return {
    index: new Level<string, Buffer>(join(path, 'index'), { keyEncoding: 'utf8', valueEncoding: 'buffer', ...LEVELDB_INDEX_OPTIONS, writeBufferSize: indexWriteBufferBytes }),
    data: new Level<string, Buffer>(join(path, 'data'), { keyEncoding: 'utf8', valueEncoding: 'buffer', ...LEVELDB_DATA_OPTIONS }),
  };
}

async function closeAll(i: Instances): Promise<void> {
  for (const db of [i.index, i.data]) if (db.status === 'open') await db.close();
}

/** Opens and checks; returns the problem found (undefined: whole). */
async function openChecked(path: string, indexWriteBufferBytes: number, logger: Logger): Promise<{ dbs: Instances; problem: string | undefined }> {
  const dbs = newInstances(path, indexWriteBufferBytes);
  for (const [name, db] of [['index', dbs.index], ['data', dbs.data]] as const) {
    try {
      await db.open();
    } catch (err) {
      if (!isLevelCorruption(err)) throw err;
      return { dbs, problem: `LevelDB (${name}) refused to open: ${(err as Error).message}` };
    }
    const logged = corruptionInInfoLog(join(path, name));
    if (logged.length > 0) return { dbs, problem: `LevelDB (${name}) dropped corrupt write-ahead-log data on recovery: ${logged[0]!.slice(0, 300)}` };
  }
  const checked = await checkStore(new LevelKv(dbs.index), new LevelKv(dbs.data));
  if (checked.lostTailBatches > 0 || checked.orphanData > 0) {
    logger.warn('store recovered from an interrupted write (power cut or crash): unacknowledged tail removed', { lostTailBatches: checked.lostTailBatches, orphanData: checked.orphanData });
  }
  return { dbs, problem: checked.problem };
}

function writeMarker(path: string, problem: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `${new Date().toISOString()} ${problem}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fdatasyncs every LevelDB write-ahead log (*.log) under `dir` (one, or two while a memtable is being flushed). */
async function syncLogFiles(dir: string): Promise<void> {
  for (const name of readdirSync(dir)) {
    if (!/^\d+\.log$/.test(name)) continue;
    let handle;
    try {
      handle = await open(join(dir, name), 'r');
    } catch {
      continue; // rotated away meanwhile: its records are in a table LevelDB synced
    }
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}

function opened(path: string, dbs: Instances, rebuilding: boolean): OpenedNodeDb {
  return {
    index: new LevelKv(dbs.index), data: new LevelKv(dbs.data), rebuilding,
    syncLogs: async () => { await syncLogFiles(join(path, 'data')); await syncLogFiles(join(path, 'index')); },
    close: () => closeAll(dbs),
  };
}

/** `indexWriteBufferBytes`: the index instance's memtable (index-write-buffer.ts gives each node its own). */
export async function openNodeDb(dataDir: string, logger: Logger, indexWriteBufferBytes: number = LEVELDB_INDEX_OPTIONS.writeBufferSize): Promise<OpenedNodeDb> {
  const path = join(dataDir, 'leveldb');
  if (existsSync(join(path, 'CURRENT'))) {
    throw new Error(`${path} holds a store of format 1 (one LevelDB); this version keeps format 2 (docs/storage.md) and does not convert: start the node on an empty data directory, its replicas are rebuilt from their leaders`);
  }
  const marker = rebuildMarker(dataDir);
  const { dbs, problem } = await openChecked(path, indexWriteBufferBytes, logger);
  if (problem === undefined) return opened(path, dbs, existsSync(marker));
  logger.error('LevelDB corruption detected: this node discards its store and rebuilds every replica from its leader', { problem });
  await closeAll(dbs);
  writeMarker(marker, problem);
  const aside = join(dataDir, 'leveldb.corrupt');
  rmSync(aside, { recursive: true, force: true });
  renameSync(path, aside);
  const fresh = newInstances(path, indexWriteBufferBytes);
  await fresh.index.open();
  await fresh.data.open();
  return opened(path, fresh, true);
}

/** The withdrawal is done: later starts need not withdraw again. */
export function rebuildDone(dataDir: string): void {
  rmSync(rebuildMarker(dataDir), { force: true });
}

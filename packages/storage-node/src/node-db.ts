/**
 * Opens the node's LevelDB (DATA/leveldb) and checks it (db-integrity.ts)
 * before any replica reads it. A corrupt database is never repaired in
 * place (LevelDB's RepairDB keeps what it can read, which can resurrect
 * deleted keys or keep a log with a hole): it is moved aside to
 * DATA/leveldb.corrupt (the previous one is deleted) and the node starts
 * with an empty database, to be rebuilt from the shard leaders by the
 * normal catch-up. Until its replicas are out of every ISR
 * (isr-withdrawal.ts) the node must not register: the REBUILD marker file
 * (DATA/REBUILD, written and fsynced before the move, removed once the
 * withdrawal is done) makes a node that dies in between withdraw again at
 * its next start, when the fresh database alone would look healthy.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import type { Logger } from '@shoal/wire';
import { corruptionInInfoLog, isLevelCorruption, scrubNodeDb } from './db-integrity';
import type { NodeDb } from './shard-log';
import { LEVELDB_WRITE_BUFFER_BYTES } from './storage-limits';

export interface OpenedNodeDb {
  readonly db: NodeDb;
  /** The database was rebuilt (now or at an earlier start that did not finish withdrawing): withdraw before registering. */
  readonly rebuilding: boolean;
}

export function rebuildMarker(dataDir: string): string {
  return join(dataDir, 'REBUILD');
}

function newDb(path: string): NodeDb {
  return new Level<string, Buffer>(path, { keyEncoding: 'utf8', valueEncoding: 'buffer', writeBufferSize: LEVELDB_WRITE_BUFFER_BYTES });
}

/** Opens and checks; returns the problem found (undefined: whole) with the database, open unless the open itself failed. */
async function openChecked(path: string): Promise<{ db: NodeDb; problem: string | undefined }> {
  const db = newDb(path);
  try {
    await db.open();
  } catch (err) {
    if (!isLevelCorruption(err)) throw err;
    return { db, problem: `LevelDB refused to open: ${(err as Error).message}` };
  }
  const logged = corruptionInInfoLog(path);
  const problem = logged.length > 0 ? `LevelDB dropped corrupt write-ahead-log data on recovery: ${logged[0]!.slice(0, 300)}` : await scrubNodeDb(db);
  return { db, problem };
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

export async function openNodeDb(dataDir: string, logger: Logger): Promise<OpenedNodeDb> {
  const path = join(dataDir, 'leveldb');
  const marker = rebuildMarker(dataDir);
  const { db, problem } = await openChecked(path);
  if (problem === undefined) return { db, rebuilding: existsSync(marker) };
  logger.error('LevelDB corruption detected: this node discards its database and rebuilds every replica from its leader', { problem });
  if (db.status === 'open') await db.close();
  writeMarker(marker, problem);
  const aside = join(dataDir, 'leveldb.corrupt');
  rmSync(aside, { recursive: true, force: true });
  renameSync(path, aside);
  const fresh = newDb(path);
  await fresh.open();
  return { db: fresh, rebuilding: true };
}

/** The withdrawal is done: later starts need not withdraw again. */
export function rebuildDone(dataDir: string): void {
  rmSync(rebuildMarker(dataDir), { force: true });
}

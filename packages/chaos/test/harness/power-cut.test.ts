import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from 'level';
import { applyPowerCut, compileShim, replayJournal, shimEnv } from '../../src/harness/power-cut';

const BASE_DIR = '/tmp/h-chaos-powercut';

/**
 * A child process writes through `level` (classic-level's bundled LevelDB,
 * as the storage node does) under the shim, then dies by SIGKILL.
 */
const WRITER = `
const { Level } = require('level');
(async () => {
  const db = new Level(process.argv[1], { valueEncoding: 'utf8' });
  await db.open();
  await db.put('a', 'written without sync', { sync: false });
  await db.put('b', 'written with sync', { sync: true });
  await db.put('c', 'written without sync after the last sync', { sync: false });
  process.kill(process.pid, 'SIGKILL');
})();
`;

async function readAll(path: string): Promise<Record<string, string>> {
  const db = new Level<string, string>(path, { valueEncoding: 'utf8' });
  await db.open();
  try {
    const out: Record<string, string> = {};
    for await (const [k, v] of db.iterator()) out[k] = v;
    return out;
  } finally {
    await db.close();
  }
}

describe('power-cut disk layer', () => {
  let dir: string;
  beforeEach(() => {
    mkdirSync(BASE_DIR, { recursive: true });
    dir = mkdtempSync(join(BASE_DIR, 'run-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replays a journal: unsynced creations, synced sizes, renames and unlinks', () => {
    const d = replayJournal([
      'C\t0\t/r/000003.log', 'C\t0\t/r/LOG', 'C\t0\t/r/000001.dbtmp', 'S\t16\t/r/000001.dbtmp', 'R\t0\t/r/000001.dbtmp\t/r/CURRENT',
      'S\t48\t/r/000003.log', 'C\t0\t/r/MANIFEST-1', 'U\t0\t/r/MANIFEST-1', 'C\t0\t/r/x', 'S\t10\t/r/x', 'F\t4\t/r/x', 'S\t9', 'C\t0\t/r/cut-sh',
    ].join('\n'));
    assert.deepEqual(Object.fromEntries(d), {
      '/r/000003.log': { kind: 'synced', bytes: 48 }, '/r/LOG': { kind: 'unsynced' }, '/r/CURRENT': { kind: 'synced', bytes: 16 },
      '/r/x': { kind: 'synced', bytes: 4 }, '/r/cut-sh': { kind: 'unsynced' },
    });
  });

  async function writeAndDie(withShim: boolean): Promise<string> {
    const root = join(dir, 'node');
    const db = join(root, 'leveldb');
    const journal = join(dir, 'journal');
    const env = { ...process.env, NODE_PATH: join(__dirname, '../../../../../node_modules'), ...(withShim ? shimEnv(compileShim(dir), root, journal) : {}) };
    mkdirSync(root, { recursive: true });
    const res = spawnSync(process.execPath, ['-e', WRITER, db], { env, encoding: 'utf8' });
    assert.equal(res.signal, 'SIGKILL', res.stderr);
    return db;
  }

  it('through the shim, LevelDB writes with sync:false after the last sync are lost at a power cut and synced ones survive', async () => {
    const db = await writeAndDie(true);
    const cut = applyPowerCut(join(dir, 'journal'));
    assert.ok(cut.truncatedFiles >= 1 && cut.droppedBytes > 0, `the write-ahead log lost its unsynced tail: ${JSON.stringify(cut)}`);
    assert.deepEqual(Object.keys(await readAll(db)), ['a', 'b'], 'a is durable because the sync of b covered it; c is gone');
  });

  it('a crash without a power cut keeps every write (the page cache survives a process kill)', async () => {
    const db = await writeAndDie(false);
    assert.deepEqual(Object.keys(await readAll(db)), ['a', 'b', 'c']);
  });
});

// Storage layout benchmark (docs/storage.md): writes the same node-wide
// group commits (every commit carries one record batch for each of K shards)
// into LevelDB under several key layouts and settings, then reads a few
// shards back from their start, and prints per layout: CPU ms per MB written
// (the whole process: the JS thread, libuv's threads and LevelDB's background
// compaction, which keeps running after the last write and is waited for),
// write amplification (bytes the process wrote to files per byte of record
// data: LevelDB's log, tables after every compaction, manifest), the size on
// disk, and CPU ms per MB read.
//
// Usage: node scripts/storage-bench.mjs [--mb 1024] [--shards 128] [--batch-kib 8]
//   [--layouts shard-keys,seq-batch,...] [--sync] [--data random|json] [--dir $TMPDIR]
// --data json: records of JSON text (compresses about 3:1), instead of random bytes.
//
// Layouts (each a candidate of docs/storage.md):
//   shard-keys        one LevelDB; per batch b!<ref>!<offset> = batch, plus a
//                     time-index key and the shard's hw key (the layout before
//                     issue 13)
//   seq-batch         one LevelDB; per batch D<seq> = batch at a node-wide
//                     sequence (keys only grow, and sort before every index key),
//                     small per-shard index keys b!<ref>!<offset> = seq, t!, h!
//   seq-commit        as seq-batch but one value per group commit (every batch of
//                     the commit concatenated); the index holds (seq, pos, len)
//   split-seq-batch   seq-batch with the data in one LevelDB and the index and
//                     state in another (two writes per commit, data first)
//   split-seq-commit  likewise for seq-commit
// Suffixes: +nocomp (compression off), +64k (64 KiB blocks), +8m (8 MiB memtable
// instead of 32 MiB); combine them (split-seq-batch+8m+64k is what nodes run for data).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClassicLevel } from 'classic-level';
import { parseFlags } from './lib/flags.mjs';

const { values: flags } = parseFlags(import.meta.url, {
  mb: { type: 'string', default: '1024' },
  shards: { type: 'string', default: '128' },
  'batch-kib': { type: 'string', default: '8' },
  layouts: { type: 'string', default: 'shard-keys,seq-batch,seq-commit,split-seq-batch,split-seq-commit,seq-batch+nocomp,seq-batch+64k' },
  sync: { type: 'boolean', default: false },
  data: { type: 'string', default: 'random' },
  dir: { type: 'string', default: os.tmpdir() },
});
const TOTAL_BYTES = Number(flags.mb) * 1e6;
const SHARDS = Number(flags.shards);
const BATCH_BYTES = Number(flags['batch-kib']) * 1024;
/** A node leads a third of the shards and follows the rest; one commit carries one batch for each shard it leads. */
const SHARDS_PER_COMMIT = Math.max(1, Math.round(SHARDS / 3));
/** Compaction is done when the process wrote nothing for this long. */
const SETTLE_QUIET_MS = 2_000;
const READ_SHARDS = 4;
const MEMTABLE_BYTES = 32 * 1024 * 1024;

function jsonPool(bytes) {
  const parts = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const r = randomBytes(6).toString('hex');
    const line = JSON.stringify({ id: i, user: `user-${r.slice(0, 4)}`, event: ['click', 'view', 'buy'][i % 3], ts: 1_700_000_000_000 + i * 37, session: r, price: (i % 997) / 10 });
    parts.push(line);
    n += line.length + 1;
  }
  return Buffer.from(parts.join('\n'));
}

const pool = flags.data === 'json' ? jsonPool(4 * 1024 * 1024) : randomBytes(4 * 1024 * 1024);
function payload(n) {
  const at = Math.floor(Math.random() * (pool.length - n));
  return pool.subarray(at, at + n);
}

const hex16 = (n) => n.toString(16).padStart(16, '0');
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };
const wchar = () => Number(/wchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

function dirBytes(dir) {
  let n = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, f.name);
    n += f.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

function options(layout) {
  return {
    keyEncoding: 'utf8', valueEncoding: 'buffer',
    compression: !layout.includes('+nocomp'),
    blockSize: layout.includes('+64k') ? 64 * 1024 : 4 * 1024,
    writeBufferSize: layout.includes('+8m') ? 8 * 1024 * 1024 : MEMTABLE_BYTES,
  };
}

/** One candidate: commit(entries) and readShard(ref) over its own databases. */
async function openLayout(layout, dir) {
  const base = layout.split('+')[0];
  const split = base.startsWith('split-');
  const perCommit = base.endsWith('commit');
  const index = new ClassicLevel(path.join(dir, 'index'), options(layout));
  const data = split ? new ClassicLevel(path.join(dir, 'data'), options(layout)) : index;
  await index.open();
  if (split) await data.open();
  let seq = 0;
  const dataKey = (s) => (split ? hex16(s) : `D${hex16(s)}`);
  const stateOps = (e) => [
    { type: 'put', key: `t!${e.ref}!${hex16(e.lastArrivalMs)}!${hex16(e.firstOffset)}`, value: Buffer.alloc(0) },
    { type: 'put', key: `h!${e.ref}`, value: u64(e.firstOffset) },
  ];
  const sync = flags.sync;
  return {
    dbs: split ? [index, data] : [index],
    async commit(entries) {
      const dataOps = [];
      const indexOps = [];
      if (base === 'shard-keys') {
        for (const e of entries) indexOps.push({ type: 'put', key: `b!${e.ref}!${hex16(e.firstOffset)}`, value: e.bytes }, ...stateOps(e));
      } else if (perCommit) {
        const s = seq++;
        let pos = 0;
        for (const e of entries) {
          const loc = Buffer.alloc(16);
          loc.writeBigUInt64BE(BigInt(s)); loc.writeUInt32BE(pos, 8); loc.writeUInt32BE(e.bytes.length, 12);
          indexOps.push({ type: 'put', key: `b!${e.ref}!${hex16(e.firstOffset)}`, value: loc }, ...stateOps(e));
          pos += e.bytes.length;
        }
        dataOps.push({ type: 'put', key: dataKey(s), value: Buffer.concat(entries.map((e) => e.bytes)) });
      } else {
        for (const e of entries) {
          const s = seq++;
          dataOps.push({ type: 'put', key: dataKey(s), value: e.bytes });
          indexOps.push({ type: 'put', key: `b!${e.ref}!${hex16(e.firstOffset)}`, value: u64(s) }, ...stateOps(e));
        }
      }
      if (split) {
        await data.batch(dataOps, { sync });
        await index.batch(indexOps, { sync });
      } else {
        await index.batch([...dataOps, ...indexOps], { sync });
      }
    },
    async readShard(ref) {
      let bytes = 0;
      const range = { gte: `b!${ref}!`, lt: `b!${ref}!~` };
      if (base === 'shard-keys') {
        for await (const v of index.values(range)) bytes += v.length;
        return bytes;
      }
      const locs = [];
      for await (const v of index.values(range)) locs.push(v);
      for (let i = 0; i < locs.length; i += 64) {
        const chunk = locs.slice(i, i + 64);
        const keys = chunk.map((l) => dataKey(Number(l.readBigUInt64BE(0))));
        const values = await data.getMany(keys);
        values.forEach((v, j) => { bytes += perCommit ? chunk[j].readUInt32BE(12) + 0 * v.length : v.length; });
      }
      return bytes;
    },
    async close() { for (const db of this.dbs) await db.close(); },
  };
}

async function settle() {
  let last = wchar();
  let quietSince = Date.now();
  while (Date.now() - quietSince < SETTLE_QUIET_MS) {
    await sleep(200);
    const now = wchar();
    if (now !== last) { last = now; quietSince = Date.now(); }
  }
}

async function run(layout) {
  const dir = mkdtempSync(path.join(flags.dir, 'storage-bench-'));
  try {
    const db = await openLayout(layout, dir);
    const nextOffset = new Array(SHARDS).fill(0);
    let written = 0;
    let turn = 0;
    const w0 = wchar();
    const c0 = cpuMs();
    const t0 = Date.now();
    while (written < TOTAL_BYTES) {
      const entries = [];
      for (let i = 0; i < SHARDS_PER_COMMIT; i++) {
        const shard = (turn * SHARDS_PER_COMMIT + i) % SHARDS;
        const records = Math.max(1, Math.round(BATCH_BYTES / 1100));
        entries.push({ ref: `stream-0000-${String(shard).padStart(4, '0')}/shardId-${String(shard).padStart(12, '0')}`, firstOffset: nextOffset[shard], lastArrivalMs: Date.now(), bytes: payload(BATCH_BYTES) });
        nextOffset[shard] += records;
        written += BATCH_BYTES;
      }
      turn++;
      await db.commit(entries);
    }
    const writeWallMs = Date.now() - t0;
    await settle();
    const writeCpuMs = cpuMs() - c0;
    const amplification = (wchar() - w0) / written;
    const diskBytes = dirBytes(dir);
    const c1 = cpuMs();
    let read = 0;
    for (let i = 0; i < READ_SHARDS; i++) read += await db.readShard(`stream-0000-${String(i).padStart(4, '0')}/shardId-${String(i).padStart(12, '0')}`);
    const readCpuMs = cpuMs() - c1;
    await db.close();
    return {
      layout, commits: turn, writeMbPerSec: round(written / 1e6 / (writeWallMs / 1000)), writeCpuMsPerMb: round(writeCpuMs / (written / 1e6)),
      amplification: round(amplification), diskMb: round(diskBytes / 1e6), readMb: round(read / 1e6), readCpuMsPerMb: round(readCpuMs / Math.max(read / 1e6, 1e-9)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x) { return Math.round(x * 100) / 100; }

const rows = [];
for (const layout of flags.layouts.split(',')) {
  process.stderr.write(`storage-bench: ${layout}\n`);
  rows.push(await run(layout));
}
process.stdout.write(`${TOTAL_BYTES / 1e6} MB of ${BATCH_BYTES / 1024} KiB ${flags.data} batches, ${SHARDS} shards (${SHARDS_PER_COMMIT} batches per commit), sync ${flags.sync}\n`);
const cols = ['layout', 'commits', 'writeMbPerSec', 'writeCpuMsPerMb', 'amplification', 'diskMb', 'readMb', 'readCpuMsPerMb'];
const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
process.stdout.write(`${cols.map((c, i) => c.padStart(widths[i])).join('  ')}\n`);
for (const r of rows) process.stdout.write(`${cols.map((c, i) => String(r[c]).padStart(widths[i])).join('  ')}\n`);

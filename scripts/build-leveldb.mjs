// Builds LevelDB (classic-level's native addon) from source with the CPU's
// CRC32C instruction, after `npm ci` / `npm install` (the root package's
// postinstall) — docs/storage.md "LevelDB's build".
//
// Why: classic-level ships prebuilt binaries whose LevelDB computes CRC32C
// (every log record and every table block it writes) in software, because
// LevelDB 1.20 uses SSE4.2 only when built with LEVELDB_PLATFORM_POSIX_SSE.
// Under put load that software CRC was 5.5% of the whole 2-core machine
// (perf), about 5 ms of the storage nodes' CPU per MB of records. Built
// with it: nodes 4.6 ms per MB cheaper and 9% more saturated throughput at 4
// shards (alternated A/B, 2026-12-05). The file format is the same (CRC32C
// either way), so data written by one build is read by the other.
//
// Only on Linux x64 with SSE4.2 (every x86-64 CPU since 2008); elsewhere,
// with SHOAL_PREBUILT_LEVELDB=1, or when the build fails (no compiler, no
// Node headers), classic-level's prebuilt binary stays in use: the store
// works the same, a little slower, and this prints why. Never fails the
// install.
//
// Usage: node scripts/build-leveldb.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const STAMP = 'shoal-leveldb-sse42.json';

function log(message) {
  console.error(`build-leveldb: ${message}`);
}

/** Why this machine keeps the prebuilt binary, or undefined when it can build (canBuildSse42 in the storage node's store/leveldb-build.ts reads the CPU the same way). */
function reasonToSkip() {
  if (process.env.SHOAL_PREBUILT_LEVELDB === '1') return 'SHOAL_PREBUILT_LEVELDB=1';
  if (process.platform !== 'linux' || process.arch !== 'x64') return `not Linux x64 (${process.platform} ${process.arch})`;
  let cpuinfo = '';
  try { cpuinfo = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* unreadable: treated as no SSE4.2 */ }
  if (!/^flags\s*:.*\bsse4_2\b/m.test(cpuinfo)) return 'the CPU has no SSE4.2';
  return undefined;
}

/** node-gyp: npm's own (npm sets npm_config_node_gyp for install scripts), else the one next to npm. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    resolve(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c));
}

/** Node's headers installed with this node (Debian, NodeSource, official tarballs), so no download is needed. */
function nodeDirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/** Opens, writes, reads and closes a store with the freshly built addon (a child process, so a crash is caught). */
function works(dir) {
  const db = mkdtempSync(join(tmpdir(), 'shoal-leveldb-check-'));
  const script = `
    const binding = require('node-gyp-build').resolve(${JSON.stringify(dir)});
    if (!binding.includes('/build/Release/')) throw new Error('loads ' + binding);
    const { ClassicLevel } = require(${JSON.stringify(dir)});
    (async () => {
      const store = new ClassicLevel(${JSON.stringify(db)}, { valueEncoding: 'buffer' });
      const value = Buffer.alloc(100000, 7);
      await store.put('k', value, { sync: true });
      const back = await store.get('k');
      await store.close();
      if (!Buffer.isBuffer(back) || !back.equals(value)) throw new Error('read back differs');
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  rmSync(db, { recursive: true, force: true });
  if (r.status !== 0) log(`the built addon failed its check: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  return r.status === 0;
}

function main() {
  const force = process.argv.includes('--force');
  let dir;
  try {
    dir = dirname(require.resolve('classic-level/package.json'));
  } catch {
    log('classic-level is not installed; nothing to build');
    return;
  }
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const stampFile = join(dir, 'build', STAMP);
  const skip = reasonToSkip();
  if (skip !== undefined) {
    if (existsSync(stampFile)) rmSync(join(dir, 'build'), { recursive: true, force: true }); // an earlier build of ours
    log(`keeping classic-level's prebuilt LevelDB (software CRC32C): ${skip}`);
    return;
  }
  if (!force && existsSync(stampFile) && existsSync(join(dir, 'build/Release/classic_level.node'))) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (stamp.version === version) return;
  }
  const gyp = nodeGyp();
  if (gyp === undefined) {
    log("keeping classic-level's prebuilt LevelDB (software CRC32C): node-gyp not found");
    return;
  }
  log(`building classic-level ${version}'s LevelDB with SSE4.2 CRC32C (about 20 s on 2 cores)`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--jobs', 'max', ...nodeDirArgs()], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    // gyp's Makefiles add CPPFLAGS and CXXFLAGS to every compile: LevelDB's port then uses the crc32 instruction.
    env: { ...process.env, CPPFLAGS: `${process.env.CPPFLAGS ?? ''} -DLEVELDB_PLATFORM_POSIX_SSE`, CXXFLAGS: `${process.env.CXXFLAGS ?? ''} -msse4.2` },
  });
  if (r.status !== 0 || !works(dir)) {
    if (r.status !== 0) log(`node-gyp failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
    rmSync(join(dir, 'build'), { recursive: true, force: true });
    log("keeping classic-level's prebuilt LevelDB (software CRC32C; the store works the same, somewhat slower: docs/storage.md)");
    return;
  }
  // Only the addon is loaded (build/Release/classic_level.node): the objects and Makefiles would ride into images.
  for (const entry of readdirSync(join(dir, 'build'))) if (entry !== 'Release') rmSync(join(dir, 'build', entry), { recursive: true, force: true });
  for (const entry of readdirSync(join(dir, 'build/Release'))) if (entry !== 'classic_level.node') rmSync(join(dir, 'build/Release', entry), { recursive: true, force: true });
  writeFileSync(stampFile, JSON.stringify({ version, builtAt: new Date().toISOString() }) + '\n');
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${join(dir, 'build/Release/classic_level.node')}`);
}

try {
  main();
} catch (err) {
  log(`skipped: ${err instanceof Error ? err.message : String(err)}`);
}

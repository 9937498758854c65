/**
 * The storage node's report of its LevelDB build (store/leveldb-build.ts)
 * names the binary classic-level really loads: node-gyp-build's choice
 * between the addon scripts/build-leveldb.mjs built (build/Release) and the
 * prebuilt one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { levelDbBuild } from '../src/store/leveldb-build';

describe('levelDbBuild', () => {
  it('reports the binary node-gyp-build loads for classic-level', () => {
    const classic = dirname(require.resolve('classic-level/package.json', { paths: [dirname(require.resolve('level/package.json'))] }));
    const gypBuild = require(require.resolve('node-gyp-build', { paths: [classic] })) as { resolve(dir: string): string };
    const loaded = gypBuild.resolve(classic);
    const built = loaded.includes('/build/Release/');
    assert.equal(levelDbBuild(), built ? 'built here (SSE4.2 CRC32C)' : 'prebuilt (software CRC32C)', loaded);
    if (!built) assert.match(loaded, /\/prebuilds\//);
  });

  it('is the build with the CPU\'s CRC32C in CI, on Linux x64 with SSE4.2 (.ci/run installs g++ and make for it)', function () {
    const sse42 = process.platform === 'linux' && process.arch === 'x64' && /^flags\s*:.*\bsse4_2\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
    if (process.env['CI'] !== 'true' || !sse42 || process.env['SHOAL_PREBUILT_LEVELDB'] === '1') this.skip();
    assert.equal(levelDbBuild(), 'built here (SSE4.2 CRC32C)');
  });
});

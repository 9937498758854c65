/**
 * The storage node's report of its LevelDB build (store/leveldb-build.ts)
 * names the binary classic-level really loads, node-gyp-build's choice
 * between the addon scripts/build-leveldb.mjs built (build/Release) and the
 * prebuilt one, and tells the fast build by the crc32 instruction in its code.
 */
import assert from 'node:assert/strict';
import { canBuildSse42, hasCrc32Instruction, levelDbBinary, levelDbBuild } from '../src/store/leveldb-build';

describe('levelDbBuild', () => {
  it('reports the binary node-gyp-build loads for classic-level', () => {
    const loaded = levelDbBinary();
    const report = levelDbBuild();
    if (loaded.includes('/build/Release/')) assert.match(report, /^built here /, loaded);
    else {
      assert.match(loaded, /\/prebuilds\//);
      assert.equal(report, 'prebuilt (software CRC32C)');
    }
  });

  it('finds the crc32 instruction in code, with and without a REX prefix, and nothing in code without it', () => {
    assert.equal(hasCrc32Instruction(Buffer.from([0x90, 0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc1, 0x90])), true); // crc32 rax, rcx
    assert.equal(hasCrc32Instruction(Buffer.from([0xf2, 0x0f, 0x38, 0xf0, 0xc1, 0x90])), true); // crc32 eax, cl
    assert.equal(hasCrc32Instruction(Buffer.from([0xf2, 0x0f, 0x10, 0xc1, 0xf2, 0x48, 0x0f, 0x38, 0x90])), false); // movsd; not crc32
    assert.equal(hasCrc32Instruction(Buffer.from([0x0f, 0x38, 0xf1, 0xc1, 0x90])), false); // movbe, no F2
  });

  it('is the build with the CPU\'s CRC32C in CI, on Linux x64 with SSE4.2 (.ci/run installs g++ and make for it)', function () {
    if (process.env['CI'] !== 'true' || !canBuildSse42() || process.env['SHOAL_PREBUILT_LEVELDB'] === '1') this.skip();
    assert.equal(levelDbBuild(), 'built here (SSE4.2 CRC32C)');
  });
});

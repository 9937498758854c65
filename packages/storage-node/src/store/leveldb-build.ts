/**
 * Which LevelDB binary classic-level (under `level`) loads: the one
 * scripts/build-leveldb.mjs built from source at install, whose CRC32C uses
 * the CPU's instruction, or classic-level's prebuilt one, whose CRC32C is
 * software (docs/storage.md "LevelDB's build"). The node logs it at start.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type LevelDbBuild = 'built here (SSE4.2 CRC32C)' | 'prebuilt (software CRC32C)' | 'unknown';

export function levelDbBuild(): LevelDbBuild {
  try {
    const level = dirname(require.resolve('level/package.json'));
    const classic = dirname(require.resolve('classic-level/package.json', { paths: [level] }));
    // node-gyp-build loads build/Release before prebuilds/ when it exists.
    return existsSync(join(classic, 'build', 'Release', 'classic_level.node')) ? 'built here (SSE4.2 CRC32C)' : 'prebuilt (software CRC32C)';
  } catch {
    return 'unknown';
  }
}

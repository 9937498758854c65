/**
 * Which LevelDB binary classic-level (under `level`) loads: the one
 * scripts/build-leveldb.mjs built from source at install, whose CRC32C uses
 * the CPU's instruction, or classic-level's prebuilt one, whose CRC32C is
 * software (docs/storage.md "LevelDB's build"). The node logs it at start.
 *
 * Decided by the binary itself: node-gyp-build's choice of file (the same
 * call classic-level makes), and whether its code holds SSE4.2's crc32
 * instruction, so a build from source without the flags is not taken for
 * the fast one.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type LevelDbBuild =
  | 'built here (SSE4.2 CRC32C)'
  | 'built here (software CRC32C)'
  | 'prebuilt (software CRC32C)'
  | 'unknown';

/** The file classic-level's native addon is loaded from. */
export function levelDbBinary(): string {
  const level = dirname(require.resolve('level/package.json'));
  const classic = dirname(require.resolve('classic-level/package.json', { paths: [level] }));
  const gypBuild = require(require.resolve('node-gyp-build', { paths: [classic] })) as { resolve(dir: string): string };
  return gypBuild.resolve(classic);
}

export function levelDbBuild(): LevelDbBuild {
  try {
    const binary = levelDbBinary();
    if (!binary.includes('/build/Release/')) return 'prebuilt (software CRC32C)';
    return hasCrc32Instruction(readFileSync(binary)) ? 'built here (SSE4.2 CRC32C)' : 'built here (software CRC32C)';
  } catch {
    return 'unknown';
  }
}

/**
 * Whether x86-64 code holds SSE4.2's crc32 instruction: F2, an optional REX
 * prefix, then 0F 38 F0 or F1. LevelDB's SSE port is its only user in the
 * addon; classic-level's prebuilt binaries have none (checked on 3.0.0).
 */
export function hasCrc32Instruction(code: Buffer): boolean {
  for (let i = code.indexOf(0xf2); i !== -1 && i < code.length - 4; i = code.indexOf(0xf2, i + 1)) {
    const op = (code[i + 1]! & 0xf0) === 0x40 ? i + 2 : i + 1;
    if (code[op] === 0x0f && code[op + 1] === 0x38 && (code[op + 2] === 0xf0 || code[op + 2] === 0xf1)) return true;
  }
  return false;
}

/** Linux x64 with SSE4.2, where scripts/build-leveldb.mjs builds (it reads /proc/cpuinfo the same way). */
export function canBuildSse42(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  try {
    return /^flags\s*:.*\bsse4_2\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

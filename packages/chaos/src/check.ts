#!/usr/bin/env node
/**
 * `node packages/chaos/dist/src/check.js <run folder>`: re-checks a saved
 * run offline, writes <folder>/verdict.json, prints the summary table, and
 * exits 0 on pass, 1 on any violation, 2 on a bad folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHistory, formatVerdict, jsonSafe } from './check/checker';
import { HISTORY_FILES } from './history/history-format';
import { readHistory } from './history/history-reader';

function main(argv: readonly string[]): number {
  const folder = argv[0];
  if (!folder || argv.length !== 1) {
    process.stderr.write('usage: check.js <run folder>\n');
    return 2;
  }
  let verdict;
  try {
    verdict = checkHistory(readHistory(folder));
  } catch (err) {
    process.stderr.write(`check: ${(err as Error).message}\n`);
    return 2;
  }
  writeFileSync(join(folder, HISTORY_FILES.verdict), JSON.stringify(verdict, jsonSafe, 2) + '\n');
  process.stdout.write(formatVerdict(verdict) + '\n');
  return verdict.pass ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

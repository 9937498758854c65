#!/usr/bin/env node
// npm run lint: the package graph check (check-packages.mjs), ESLint over
// every package's sources and tests, then a canary that proves the
// boundary rule still bites: a storage-node file importing @shoal/api must
// fail to lint. A config change that silently dropped the rule fails here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '..');
execFileSync(process.execPath, [join(ROOT, 'scripts/check-packages.mjs')], { stdio: 'inherit' });

const eslint = new ESLint({ cwd: ROOT });
const results = await eslint.lintFiles(['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts']);
const formatter = await eslint.loadFormatter('stylish');
const text = await formatter.format(results);
if (text) console.log(text);
const failed = results.some((r) => r.errorCount > 0 || r.warningCount > 0);

// Each canary is a real file of the package with one forbidden import prepended (the type-aware parser
// only takes files its tsconfig includes).
const canaries = [
  { file: 'packages/storage-node/src/main.ts', line: "import { startApiServer } from '@shoal/api';\nvoid startApiServer;\n" },
  { file: 'packages/core/src/index.ts', line: "import { MetadataStore } from '@shoal/metadata';\nvoid MetadataStore;\n" },
  { file: 'packages/api/src/main.ts', line: "import { ShardLog } from '../../storage-node/src/shard-log';\nvoid ShardLog;\n" },
  // The test harness is for tests: product code must not start etcd through it.
  { file: 'packages/metadata/src/index.ts', line: "import { startEtcd } from '@shoal/testkit';\nvoid startEtcd;\n" },
];
let canaryFailed = false;
for (const c of canaries) {
  const path = join(ROOT, c.file);
  const [r] = await eslint.lintText(c.line + readFileSync(path, 'utf8'), { filePath: path });
  if (!r?.messages.some((m) => m.ruleId === 'no-restricted-imports')) {
    console.error(`lint: the package boundary rule did not fire for ${c.file} (eslint.config.mjs)`);
    canaryFailed = true;
  }
}
if (failed || canaryFailed) process.exit(1);
console.log(`lint: ${results.length} files clean; boundary canaries refused`);

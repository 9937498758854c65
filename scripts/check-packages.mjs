#!/usr/bin/env node
// Keeps the package graph honest: for every workspace package, the @shoal
// packages its sources and tests import must be exactly its package.json
// @shoal dependencies and its tsconfig.json project references, and every
// package must be in the root tsconfig.json. `--fix` rewrites package.json
// and tsconfig.json to match the imports; without it, a mismatch fails
// (npm run lint runs it). What each package may import at all is ESLint's
// job (eslint.config.mjs, docs/contracts.md).
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const fix = process.argv.includes('--fix');
const IMPORT = /(?:from|import\(|require\()\s*'(@shoal\/[a-z-]+)(?:\/[^']*)?'/g;

function tsFiles(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (e === 'node_modules' || e === 'dist' || e === 'gen') continue;
    if (statSync(p).isDirectory()) out = out.concat(tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const dirs = rootPkg.workspaces.map((w) => join(ROOT, w));
const byName = new Map(dirs.map((d) => [JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name, d]));
const problems = [];

for (const dir of dirs) {
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  const imported = new Set();
  for (const f of [...tsFiles(join(dir, 'src')), ...tsFiles(join(dir, 'test'))]) {
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) if (m[1] !== pkg.name) imported.add(m[1]);
  }
  for (const name of imported) if (!byName.has(name)) problems.push(`${pkg.name} imports ${name}, which is not a workspace package`);
  const wanted = [...imported].filter((n) => byName.has(n)).sort();
  const declared = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@shoal/')).sort();
  const tsconfigPath = join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(readFileSync(tsconfigPath, 'utf8'));
  const refs = (tsconfig.references ?? []).map((r) => r.path).sort();
  const wantedRefs = wanted.map((n) => relative(dir, byName.get(n))).sort();
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(declared, wanted)) {
    if (fix) {
      const others = Object.entries(pkg.dependencies ?? {}).filter(([d]) => !d.startsWith('@shoal/'));
      pkg.dependencies = Object.fromEntries([...wanted.map((n) => [n, JSON.parse(readFileSync(join(byName.get(n), 'package.json'), 'utf8')).version]), ...others]);
      writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
    } else problems.push(`${pkg.name}: package.json declares [${declared.join(' ')}] but the code imports [${wanted.join(' ')}]`);
  }
  if (!same(refs, wantedRefs)) {
    if (fix) {
      tsconfig.references = wantedRefs.map((path) => ({ path }));
      writeFileSync(tsconfigPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
    } else problems.push(`${pkg.name}: tsconfig.json references [${refs.join(' ')}] but the code imports [${wantedRefs.join(' ')}]`);
  }
}

const rootRefs = new Set(JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).references.map((r) => r.path));
for (const w of rootPkg.workspaces) if (!rootRefs.has(w)) problems.push(`tsconfig.json does not reference workspace ${w}`);

if (problems.length > 0) {
  for (const p of problems) console.error(`check-packages: ${p}`);
  console.error('check-packages: run `node scripts/check-packages.mjs --fix` to match package.json and tsconfig.json to the imports');
  process.exit(1);
}
console.log(`check-packages: ${dirs.length} packages, dependencies and references match their imports`);

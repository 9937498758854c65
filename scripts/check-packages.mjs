#!/usr/bin/env node
// Keeps the package graph honest: for every workspace package, the @shoal
// packages its sources import must be exactly its package.json @shoal
// dependencies, those only its tests import exactly its @shoal
// devDependencies (so a deployment that installs production dependencies
// never pulls a test harness), all of them its tsconfig.json project
// references, and every
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
  const importsOf = (files) => {
    const names = new Set();
    for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) if (m[1] !== pkg.name) names.add(m[1]);
    return names;
  };
  const fromSrc = importsOf(tsFiles(join(dir, 'src')));
  const fromTests = importsOf(tsFiles(join(dir, 'test')));
  for (const name of new Set([...fromSrc, ...fromTests])) if (!byName.has(name)) problems.push(`${pkg.name} imports ${name}, which is not a workspace package`);
  const wanted = [...fromSrc].filter((n) => byName.has(n)).sort();
  const wantedDev = [...fromTests].filter((n) => byName.has(n) && !fromSrc.has(n)).sort();
  const ours = (deps) => Object.keys(deps ?? {}).filter((d) => d.startsWith('@shoal/')).sort();
  const declared = ours(pkg.dependencies);
  const declaredDev = ours(pkg.devDependencies);
  const tsconfigPath = join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(readFileSync(tsconfigPath, 'utf8'));
  const refs = (tsconfig.references ?? []).map((r) => r.path).sort();
  const wantedRefs = [...wanted, ...wantedDev].map((n) => relative(dir, byName.get(n))).sort();
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const versionOf = (n) => JSON.parse(readFileSync(join(byName.get(n), 'package.json'), 'utf8')).version;
  const withOurs = (deps, names) => {
    const others = Object.entries(deps ?? {}).filter(([d]) => !d.startsWith('@shoal/'));
    const all = [...names.map((n) => [n, versionOf(n)]), ...others];
    return all.length > 0 ? Object.fromEntries(all) : undefined;
  };
  if (!same(declared, wanted) || !same(declaredDev, wantedDev)) {
    if (fix) {
      pkg.dependencies = withOurs(pkg.dependencies, wanted);
      pkg.devDependencies = withOurs(pkg.devDependencies, wantedDev);
      writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
    } else {
      if (!same(declared, wanted)) problems.push(`${pkg.name}: package.json dependencies name [${declared.join(' ')}] but the sources import [${wanted.join(' ')}]`);
      if (!same(declaredDev, wantedDev)) problems.push(`${pkg.name}: package.json devDependencies name [${declaredDev.join(' ')}] but only the tests import [${wantedDev.join(' ')}]`);
    }
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

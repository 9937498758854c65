// ESLint for the whole monorepo (npm run lint). Type-aware rules need each
// package's tsconfig (projectService finds them). The package graph of
// docs/contracts.md is enforced with no-restricted-imports per package.
import tseslint from 'typescript-eslint';

/** What each package may import of ours (docs/contracts.md). */
const MAY_IMPORT = {
  core: [],
  wire: [],
  metadata: ['core', 'wire'],
  'storage-node': ['core', 'wire', 'metadata'],
  controller: ['core', 'wire', 'metadata'],
  api: ['core', 'wire', 'metadata'],
  cli: ['core', 'wire', 'metadata'],
  shoal: ['core'],
  // The seeded simulation runs the real storage node and controller code in one process.
  chaos: ['core', 'wire', 'metadata', 'cli', 'storage-node', 'controller'],
  // The test harness (real etcd, free ports, polling) imports nothing of ours.
  testkit: [],
};
const PACKAGES = Object.keys(MAY_IMPORT);
/**
 * More that a package's tests may import: every package's tests use the test harness (never its src), and the
 * end-to-end tests list the api's operations.
 */
const TESTS_MAY_IMPORT = Object.fromEntries(PACKAGES.map((p) => [p, p === 'testkit' ? [] : ['testkit', ...(p === 'cli' ? ['api'] : [])]]));

function boundaryRules(pkg, part) {
  const allowed = [...MAY_IMPORT[pkg], ...(part === 'test' ? TESTS_MAY_IMPORT[pkg] ?? [] : [])];
  const forbidden = PACKAGES.filter((p) => p !== pkg && !allowed.includes(p));
  return {
    files: [`packages/${pkg}/${part}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...forbidden.map((p) => ({ group: [`@shoal/${p}`, `@shoal/${p}/*`], message: `${pkg} may not import @shoal/${p} (docs/contracts.md)` })),
          { regex: `^(\\.\\./)+(${PACKAGES.join('|')})/`, message: 'import other packages by their @shoal name, not by path' },
        ],
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/wire/src/gen/**', 'deploy/**', 'scripts/**', '*.mjs'] },
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Servers log through wire's structured logger (STYLE.md); the cli and the chaos harness print for people.
    files: ['packages/{core,wire,metadata,storage-node,controller,api}/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  ...PACKAGES.flatMap((pkg) => [boundaryRules(pkg, 'src'), boundaryRules(pkg, 'test')]),
);

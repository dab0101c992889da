// Lint: typescript-eslint (type-aware: no floating promises, no `any`) plus the dependency
// direction of docs/architecture.md, enforced with no-restricted-imports per folder.
import tseslint from 'typescript-eslint';

/** Every folder of src/, as the import patterns that reach it. */
const folders = ['lib', 'core', 'openai-compat', 'store', 'backends', 'files', 'caches', 'batches', 'webhooks', 'worker', 'models', 'auth', 'api', 'observability', 'config', 'server', 'client', 'cli'];
const reach = (names) => names.map((name) => `**/${name}/**`);
/** Everything but the folders a layer may import. */
const allBut = (allowed) => reach(folders.filter((name) => !allowed.includes(name)));

/**
 * What each folder may import (docs/architecture.md, "Dependency direction"). The store and
 * blob-store adapters are picked in server/ only; api/ sees the store's port types, batches/
 * and models/ through their index.ts only, and of worker/ only the directory of live workers.
 */
const adapters = ['**/store/sqlite/**', '**/store/postgres/**', '**/store/local/**', '**/store/s3/**'];
const layers = {
  'src/lib/**': allBut(['lib']),
  'src/core/**': allBut(['core', 'lib']),
  'src/store/**': allBut(['store', 'core', 'lib']),
  'src/openai-compat/**': allBut(['openai-compat', 'core', 'lib']),
  'src/backends/**': allBut(['backends', 'openai-compat', 'core', 'lib']),
  'src/auth/**': allBut(['auth', 'core', 'lib']),
  'src/files/**': [...allBut(['files', 'store', 'backends', 'core', 'lib']), ...adapters],
  'src/caches/**': [...allBut(['caches', 'store', 'backends', 'core', 'lib']), ...adapters],
  'src/batches/**': [...allBut(['batches', 'store', 'backends', 'openai-compat', 'core', 'lib']), ...adapters],
  'src/webhooks/**': [...allBut(['webhooks', 'store', 'core', 'lib']), ...adapters],
  'src/models/**': allBut(['models', 'files', 'backends', 'core', 'lib']),
  'src/worker/**': [...allBut(['worker', 'batches', 'files', 'store', 'backends', 'core', 'lib']), ...adapters],
  'src/api/**': [...allBut(['api', 'files', 'store', 'auth', 'openai-compat', 'core', 'lib']), ...adapters,
    '!**/batches/index.js', '!**/caches/index.js', '!**/models/index.js', '!**/webhooks/index.js', '!**/worker/worker-directory.js'],
  'src/observability/**': [...allBut(['observability', 'store', 'core', 'lib']), ...adapters],
  'src/config/**': allBut(['config', 'backends', 'auth', 'core', 'lib']),
  'src/client/**': allBut(['client', 'core', 'lib']),
  'src/server/**': reach(['cli', 'client']),
};

/** What the dashboard's browser modules may use without importing it. */
const browserGlobals = [
  'window', 'document', 'location', 'sessionStorage', 'fetch', 'Response', 'URL', 'Blob', 'XMLHttpRequest',
  'TextDecoderStream', 'setTimeout', 'clearTimeout', 'addEventListener', 'removeEventListener', 'console',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.venv/**', '.node24/**', 'bin/**', 'scripts/**', 'test/support/*.mjs', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      // Abort reasons are `any` by the DOM types; rejecting with them is the point.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings in src/config/ only.' }],
    },
  },
  ...Object.entries(layers).map(([files, banned]) => ({
    files: [files],
    ignores: ['**/*.test.ts', '**/*.contract.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: banned, message: 'Breaks the dependency direction of docs/architecture.md.' }] }] },
  })),
  {
    files: ['src/config/settings.ts', 'test/**', 'bench/**', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**', '**/*.test.ts', '**/*.contract.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    // The dashboard's browser modules: plain JavaScript with JSDoc, served as they are (no build),
    // so linted without type information, against the browser's globals, importing only each
    // other, preact and htm.
    files: ['src/dashboard/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(browserGlobals.map((name) => [name, 'readonly'])),
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      'no-undef': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: [...reach(folders), '!preact', '!preact/hooks', '!htm'], message: 'The dashboard runs in the browser: it imports its own modules, preact and htm only.' }] }],
    },
  },
);

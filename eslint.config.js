// Lint: typescript-eslint (type-aware: no floating promises, no `any`) plus the dependency
// direction of docs/architecture.md, enforced with no-restricted-imports per folder.
import tseslint from 'typescript-eslint';

/** The composition root: only the CLI and the root itself may import these. */
const root = ['**/main.js', '**/config.js', '**/worker-main.js', '**/worker-runtime.js', '**/open-storage.js', '**/compose-registry.js'];

/** Folders each folder must not import from (relative-path patterns). */
const layers = {
  'src/lib/**': ['**/core/**', '**/store/**', '**/files/**', '**/api/**', '**/auth/**', '**/queue/**', '**/backends/**', '**/cli/**', ...root],
  'src/core/**': ['**/store/**', '**/files/**', '**/api/**', '**/auth/**', '**/queue/**', '**/backends/**', '**/cli/**', ...root],
  'src/store/**': ['**/files/**', '**/api/**', '**/auth/**', '**/queue/**', '**/backends/**', '**/cli/**', ...root],
  'src/backends/**': ['**/store/**', '**/files/**', '**/api/**', '**/queue/**', '**/cli/**', ...root],
  'src/files/**': ['**/api/**', '**/queue/**', '**/backends/**', '**/cli/**', ...root],
  'src/queue/**': ['**/api/**', '**/cli/**', ...root],
  'src/auth/**': ['**/store/**', '**/files/**', '**/api/**', '**/queue/**', '**/backends/**', '**/cli/**', ...root],
  'src/api/**': ['**/backends/**', '**/cli/**', ...root, '**/store/sqlite/**', '**/store/postgres/**', '**/store/local/**', '**/store/s3/**'],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', 'eslint.config.js'] },
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
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings in src/config.ts only.' }],
    },
  },
  ...Object.entries(layers).map(([files, banned]) => ({
    files: [files],
    ignores: ['**/*.test.ts', '**/*.contract.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: banned, message: 'Breaks the dependency direction of docs/architecture.md.' }] }] },
  })),
  {
    files: ['src/config.ts', 'test/**', 'bench/**', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**', '**/*.test.ts', '**/*.contract.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-floating-promises': 'off' },
  },
);

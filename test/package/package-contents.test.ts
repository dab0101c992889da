/**
 * What `npm publish` would ship (`npm pack --dry-run`, which builds dist/ through `prepare`):
 * the compiled server, CLI and library entry with its type declarations, the dashboard's
 * browser modules (served as they are), the license, README and changelog, and no test helpers,
 * fake servers, tests or TypeScript sources; and the
 * package entry `batchmode` resolving, through package.json `exports`, to the library.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

const projectRoot = resolve(import.meta.dirname, '../..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('the package carries the runtime and its types, and no test code', { timeout: 240_000 }, () => {
  const output = execFileSync(npm, ['pack', '--dry-run', '--json', '--silent'], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const [pack] = JSON.parse(output.slice(output.indexOf('['))) as [{ files: { path: string }[] }];
  const paths = pack.files.map((file) => file.path);
  for (const required of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'bin/batchmode.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/server/start-api.js', 'src/dashboard/index.html', 'src/dashboard/app.js']) {
    assert.ok(paths.includes(required), `${required} is in the package`);
  }
  const unwanted = paths.filter((path) => /(^|\/)testing\/|\.test\.|\.contract\.|fake-|^test\/|\.map$|(?<!\.d)\.ts$/.test(path) || (path.startsWith('src/') && !path.startsWith('src/dashboard/')));
  assert.deepEqual(unwanted, []);
});

test("import 'batchmode' resolves to the library entry", { timeout: 60_000 }, () => {
  const script = "const m = await import('batchmode'); console.log(JSON.stringify({ startServer: typeof m.startServer, version: m.VERSION, url: import.meta.resolve('batchmode') }));";
  const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, encoding: 'utf8' })) as { startServer: string; version: string; url: string };
  assert.equal(result.startServer, 'function');
  assert.match(result.version, /^\d+\.\d+\.\d+/);
  assert.ok(result.url.endsWith('/dist/index.js'), result.url);
});

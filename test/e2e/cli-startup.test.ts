/**
 * Quick commands stay quick: `batchmode --version`, `--help` and a client command load neither
 * the server nor the store, the backends or the AWS SDK (each command imports its code when it
 * runs). The modules a run resolves are traced by a resolve hook (test/support/module-trace.mjs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const projectRoot = resolve(import.meta.dirname, '../..');
/** Modules only a running server or worker needs. */
const SERVER_ONLY = [/\/src\/server\//, /\/src\/store\/(sqlite|postgres|s3)\//, /\/src\/api\//, /\/src\/worker\//, /better-sqlite3/, /@aws-sdk/, /node_modules\/pg\//, /prom-client/];

function modulesLoadedBy(args: string[]): { status: number | null; stdout: string; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'batchmode-trace-'));
  const trace = join(dir, 'modules.txt');
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/support/module-trace.mjs', 'src/cli/main.ts', ...args], {
      cwd: projectRoot, encoding: 'utf8', env: { ...process.env, BATCHMODE_MODULE_TRACE: trace, GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9', GEMINI_API_KEY: 'k' }, timeout: 60_000,
    });
    return { status: run.status, stdout: run.stdout, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const args of [['--version'], ['--help'], ['serve', '--help'], ['batches', 'list', '--help'], ['validate', '--help'], ['completion', 'bash']]) {
  test(`batchmode ${args.join(' ')} loads no server code`, () => {
    const { status, stdout, modules } = modulesLoadedBy(args);
    assert.equal(status, 0, stdout);
    assert.ok(modules.some((url) => url.endsWith('/src/cli/main.ts')), 'the trace saw the entry point');
    const serverModules = modules.filter((url) => SERVER_ONLY.some((pattern) => pattern.test(url)));
    assert.deepEqual(serverModules, []);
  });
}

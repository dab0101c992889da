/**
 * The official Python SDK's `client.caches.*` (issue 16) against `batchmode serve`: create with a
 * snake_case config and a ttl, get, list across pages, update by ttl and by expire_time,
 * generate with `cached_content` (the same answer as the prefix written out, with the cached
 * tokens reported), delete (then 403).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { pythonWithSdks } from '../support/python-venv.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'python-caches';
const script = resolve(import.meta.dirname, '../fixtures/python/caches_flow.py');

describe('the Python google-genai SDK: client.caches', () => {
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.stop();
  });

  test('create, get, list, update, generate with the cache, delete', { timeout: 600_000 }, async () => {
    const python = pythonWithSdks();
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY } });
    const { stdout } = await promisify(execFile)(python, [script], {
      env: { ...process.env, GEMINI_API_KEY: KEY, BATCHMODE_BASE_URL: server.url },
      timeout: 120_000,
    });
    const steps = Object.fromEntries(stdout.trim().split('\n').map((line) => {
      const parsed = JSON.parse(line) as { step: string } & Record<string, unknown>;
      return [parsed.step, parsed];
    }));
    const created: Record<string, unknown> = steps.create ?? {};
    assert.match(String(created.name), /^cachedContents\/[a-z0-9]{12}$/);
    assert.equal(created.model, 'models/gemini-2.5-flash');
    assert.equal(created.display_name, 'notes');
    assert.equal(created.ttl_s, 600);
    assert.ok(Number(created.tokens) > 100, String(created.tokens));
    assert.equal(steps.get?.same, true);
    assert.deepEqual(steps.list?.names, steps.list?.expected);
    assert.equal((steps.list?.names as string[]).length, 3);
    assert.deepEqual(steps.update, { step: 'update', ttl_s: 7200, expire_ok: true });
    assert.deepEqual(steps.generate, { step: 'generate', same_text: true, cached_tokens: created.tokens });
    assert.equal(steps['after-delete']?.code, 403);
  });
});

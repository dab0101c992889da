/**
 * composeRegistry gives every route its call deadline: the route's timeoutSeconds, else the
 * global setting; the registry closes each backend once, however many routes it serves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_CALL_TIMEOUT_MS, type ModelBackend } from '../backends/backend.js';
import { createBackendRegistry } from '../backends/registry.js';
import { createSimulatedBackend } from '../backends/simulated/simulated-backend.js';
import { composeRegistry } from './compose-backends.js';
import { loadConfig } from '../config/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'batchmode-compose-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('without a config file the simulated model gets the global deadline (default 10 minutes)', async () => {
  const composed = composeRegistry(loadConfig({}, {}));
  assert.equal(composed.registry.resolve('gemini-2.5-flash')?.backend.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS);
  assert.equal(DEFAULT_CALL_TIMEOUT_MS, 600_000);
  const tighter = composeRegistry(loadConfig({ modelTimeoutSeconds: '45' }, {}));
  assert.equal(tighter.registry.resolve('gemini-2.5-flash')?.backend.callTimeoutMs, 45_000);
  await composed.registry.close();
  await tighter.registry.close();
});

test("a route's timeoutSeconds wins over the global setting; other routes keep the global one", async () => {
  const path = join(dir, 'models.yaml');
  writeFileSync(path, [
    'models:',
    '  - name: slow-local',
    '    backend: { type: openai, baseUrl: "http://127.0.0.1:9/v1" }',
    '    timeoutSeconds: 1800',
    '  - name: quick',
    '    backend: { type: simulated }',
    '    timeoutSeconds: 0.25',
    '  - name: sim-*',
    '    backend: { type: simulated }',
  ].join('\n'));
  const composed = composeRegistry(loadConfig({ configFile: path, modelTimeoutSeconds: '90' }, {}));
  const timeoutOf = (model: string): number | undefined => composed.registry.resolve(model)?.backend.callTimeoutMs;
  assert.deepEqual([timeoutOf('slow-local'), timeoutOf('quick'), timeoutOf('sim-anything')], [1_800_000, 250, 90_000]);
  assert.equal(composed.registry.resolve('slow-local')?.backend.id, 'openai:http://127.0.0.1:9/v1');
  await composed.registry.close();
});

test("the registry's close() closes every backend once, a backend of two routes included, and answers the same on a second call", async () => {
  const closes = new Map<string, number>();
  const closable = (id: string): ModelBackend => ({
    ...createSimulatedBackend(),
    id,
    close: async () => void closes.set(id, (closes.get(id) ?? 0) + 1),
  });
  const shared = closable('shared');
  const limits = { maxConcurrency: 1 };
  const registry = createBackendRegistry([
    { name: 'a', backend: shared, limits },
    { name: 'b', backend: shared, limits },
    { name: 'c', backend: closable('own'), limits },
    { name: 'd', backend: { id: 'no-close', generateContent: () => Promise.reject(new Error('unused')) }, limits },
  ]);
  await Promise.all([registry.close(), registry.close()]);
  await registry.close();
  assert.deepEqual(Object.fromEntries(closes), { shared: 1, own: 1 });
});

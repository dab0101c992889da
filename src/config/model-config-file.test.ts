// Tests of the model config file: JSON and YAML, validation messages with paths, keys from the environment.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from './config-error.js';
import { loadConfigFile, loadModelConfig } from './model-config-file.js';
import { DEFAULT_QUOTAS, limitsFor } from '../core/quota.js';

const dir = mkdtempSync(join(tmpdir(), 'batchmode-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const issueExample = { models: [
  { name: 'gemini-2.5-flash',
    backend: { type: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'optional', model: 'qwen2.5:7b' },
    maxConcurrency: 64, requestsPerMinute: 6000, tokensPerMinute: 2000000,
    pricing: { inputPerMillion: 0.30, outputPerMillion: 2.50, batchDiscount: 0.5 } },
  { name: 'gemini-*', backend: { type: 'gemini', apiKeyEnv: 'GEMINI_UPSTREAM_KEY' } },
  { name: 'sim-*', backend: { type: 'simulated' } } ] };

test("the issue's example config loads, with the upstream key taken from the env", () => {
  const models = loadModelConfig(write('example.json', JSON.stringify(issueExample)), { GEMINI_UPSTREAM_KEY: 'secret' });
  assert.equal(models.length, 3);
  assert.deepEqual(models[0]?.pricing, { inputPerMillion: 0.3, outputPerMillion: 2.5, batchDiscount: 0.5 });
  assert.equal(models[1]?.backend.type === 'gemini' ? models[1].backend.apiKey : undefined, 'secret');
});

test('YAML works too', () => {
  const yaml = 'models:\n  - name: sim-*\n    backend:\n      type: simulated\n      latencyMs: 5\n    pricing: { inputPerMillion: 1, outputPerMillion: 2 }\n';
  const models = loadModelConfig(write('config.yaml', yaml), {});
  assert.equal(models[0]?.backend.type, 'simulated');
  assert.equal(models[0]?.pricing?.batchDiscount, 0.5, 'Gemini discount by default');
});

test('problems are reported with their path in the file', () => {
  const bad = { models: [{ name: 'x', backend: { type: 'openai', baseUrl: 'not a url' }, maxConcurrency: 0, colour: 'red' }] };
  assert.throws(() => loadModelConfig(write('bad.json', JSON.stringify(bad)), {}), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /models\[0\]\.backend\.baseUrl/);
    assert.match(error.message, /models\[0\]\.maxConcurrency/);
    assert.match(error.message, /colour/);
    return true;
  });
  assert.throws(() => loadModelConfig(write('env.json', JSON.stringify(issueExample)), {}), /GEMINI_UPSTREAM_KEY is not set/);
  assert.throws(() => loadModelConfig(write('broken.json', '{'), {}), /not valid JSON/);
  assert.throws(() => loadModelConfig(join(dir, 'missing.json'), {}), /Cannot read/);
  assert.throws(() => loadModelConfig(write('empty.json', '{"models": []}'), {}), /models/);
});

test('timeoutSeconds: a positive number of seconds per route, fractions allowed, within what a timer can wait', () => {
  const models = loadModelConfig(write('timeouts.yaml', 'models:\n  - name: slow\n    backend: { type: simulated }\n    timeoutSeconds: 1800\n  - name: quick\n    backend: { type: simulated }\n    timeoutSeconds: 0.5\n  - name: plain\n    backend: { type: simulated }\n'), {});
  assert.deepEqual(models.map((model) => model.timeoutSeconds), [1800, 0.5, undefined]);
  for (const bad of ['0', '-1', '"ten"', '99999999']) {
    assert.throws(() => loadModelConfig(write('bad-timeout.yaml', `models:\n  - name: x\n    backend: { type: simulated }\n    timeoutSeconds: ${bad}\n`), {}), /models\[0\]\.timeoutSeconds/);
  }
});

test('quotas: defaults over Gemini file limits, per-tenant overrides by tenant id, no API keys as keys', () => {
  const tenant = 'a'.repeat(24);
  const yaml = [
    'models:', '  - name: sim-*', '    backend: { type: simulated }',
    'quotas:', '  default: { activeBatches: 10, storedFileBytes: 5000 }',
    '  tenants:', `    ${tenant}: { activeBatches: 2, enqueuedTokensPerModel: 1000000, requestsPerBatch: 50000, largestFileBytes: 100 }`,
  ].join('\n');
  const { quotas } = loadConfigFile(write('quotas.yaml', yaml), {});
  assert.deepEqual(limitsFor(quotas, 'b'.repeat(24)), { storedFileBytes: 5000, activeBatches: 10 });
  assert.deepEqual(limitsFor(quotas, tenant), {
    storedFileBytes: 5000, largestFileBytes: 100, activeBatches: 2, enqueuedTokensPerModel: 1_000_000, requestsPerBatch: 50_000,
  });
  assert.deepEqual(loadConfigFile(write('none.yaml', 'models:\n  - name: x\n    backend: { type: simulated }\n'), {}).quotas, DEFAULT_QUOTAS);
  const bad = { models: [{ name: 'x', backend: { type: 'simulated' } }], quotas: { tenants: { 'sk-my-api-key': { activeBatches: 1 } }, default: { files: 1 } } };
  assert.throws(() => loadConfigFile(write('bad-quotas.json', JSON.stringify(bad)), {}), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /quotas\.tenants: 'sk-m…' is not a tenant id .*never put API keys here/);
    assert.doesNotMatch(error.message, /my-api-key/);
    assert.match(error.message, /quotas\.default: Unrecognized key: "files"/);
    return true;
  });
});

test('image routes: a model marked image, simulated imageSize, openai images as true or settings; bad values named by path', () => {
  const yaml = [
    'models:',
    '  - name: painter', '    image: true', '    backend: { type: simulated, imageSize: 1024 }',
    '  - name: gemini-2.5-flash-image', '    backend: { type: openai, baseUrl: "http://127.0.0.1:8080/v1", images: true }',
    '  - name: gemini-3-pro-image-preview',
    '    backend: { type: openai, baseUrl: "https://api.openai.com/v1", images: { model: gpt-image-1, sizes: [1024x1024, 1536x1024], sendResponseFormat: false } }',
  ].join('\n');
  const models = loadModelConfig(write('images.yaml', yaml), {});
  assert.equal(models[0]?.image, true);
  assert.equal(models[0]?.backend.type === 'simulated' ? models[0].backend.imageSize : undefined, 1024);
  assert.equal(models[1]?.backend.type === 'openai' ? models[1].backend.images : undefined, true);
  assert.deepEqual(models[2]?.backend.type === 'openai' ? models[2].backend.images : undefined, { model: 'gpt-image-1', sizes: ['1024x1024', '1536x1024'], sendResponseFormat: false });
  const bad = { models: [
    { name: 'a', backend: { type: 'simulated', imageSize: 8 } },
    { name: 'b', backend: { type: 'openai', baseUrl: 'http://x/v1', images: { sizes: ['large'], quality: 'hd' } } },
    { name: 'c', image: 'yes', backend: { type: 'gemini', apiKey: 'k', images: true } },
  ] };
  assert.throws(() => loadModelConfig(write('bad-images.json', JSON.stringify(bad)), {}), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /models\[0\]\.backend\.imageSize/);
    assert.match(error.message, /models\[1\]\.backend\.images\.sizes\[0\]: WIDTHxHEIGHT/);
    assert.match(error.message, /Unrecognized key: "quality"/);
    assert.match(error.message, /models\[2\]\.image/);
    assert.match(error.message, /models\[2\]\.backend: Unrecognized key: "images"/);
    return true;
  });
});

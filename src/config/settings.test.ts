// Tests of the settings (flags > env > defaults) and of the client's endpoint and key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadClientConfig, loadConfig } from './settings.js';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, splitApiKeys } from './defaults.js';
import { resolve } from 'node:path';

test('defaults apply when nothing is set', () => {
  const config = loadConfig({}, {});
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1');
  assert.deepEqual(config.apiKeys, []);
  assert.equal(config.maxUploadBytes, 2 * 1024 ** 3);
  assert.equal(config.dataDir, resolve(DEFAULT_DATA_DIR));
  assert.ok(Object.isFrozen(config));
});

test('the server and the client share the defaults and the way keys are split', () => {
  const noFile = (): undefined => undefined;
  assert.equal(loadConfig({}, {}).port, DEFAULT_PORT);
  assert.equal(loadClientConfig({}, { GEMINI_API_KEY: 'k' }, noFile).baseUrl, `http://127.0.0.1:${DEFAULT_PORT}`);
  assert.deepEqual(splitApiKeys(' a, b ,,'), ['a', 'b']);
  assert.deepEqual(splitApiKeys(undefined), []);
  const { apiKey } = loadClientConfig({}, { BATCHMODE_API_KEYS: ' , first, second' }, noFile);
  assert.equal(apiKey, 'first');
  assert.deepEqual(loadConfig({}, { BATCHMODE_API_KEYS: ' , first, second' }).apiKeys, ['first', 'second']);
});

test('flags win over env, env over defaults', () => {
  const config = loadConfig({ port: '9001' }, { BATCHMODE_PORT: '9000', BATCHMODE_API_KEYS: ' a, b ,,' });
  assert.equal(config.port, 9001);
  assert.deepEqual(config.apiKeys, ['a', 'b']);
  assert.equal(loadConfig({}, { BATCHMODE_PORT: '9000' }).port, 9000);
});

test('a bad value names both the flag and the env var', () => {
  assert.throws(
    () => loadConfig({}, { BATCHMODE_PORT: 'eighty' }),
    (error: unknown) => error instanceof ConfigError && /--port \/ BATCHMODE_PORT/.test(error.message),
  );
  assert.throws(() => loadConfig({}, { BATCHMODE_LOG_LEVEL: 'loud' }), /--log-level \/ BATCHMODE_LOG_LEVEL/);
});

test('the prefix window: 256 by default, 0 allowed (file order), no negative or fractional value', () => {
  assert.equal(loadConfig({}, {}).prefixWindow, 256);
  assert.equal(loadConfig({}, { BATCHMODE_PREFIX_WINDOW: '0' }).prefixWindow, 0);
  assert.equal(loadConfig({ prefixWindow: '32' }, { BATCHMODE_PREFIX_WINDOW: '0' }).prefixWindow, 32);
  assert.throws(() => loadConfig({}, { BATCHMODE_PREFIX_WINDOW: '-1' }), /--prefix-window \/ BATCHMODE_PREFIX_WINDOW/);
  assert.throws(() => loadConfig({}, { BATCHMODE_PREFIX_WINDOW: '1.5' }), /--prefix-window \/ BATCHMODE_PREFIX_WINDOW/);
});

test('client settings: flags, then the SDK variables, then the local server and its stored key', () => {
  const noFile = (): undefined => undefined;
  assert.deepEqual(
    loadClientConfig({ baseUrl: 'http://h:1/', apiKey: 'flag' }, { GOOGLE_GEMINI_BASE_URL: 'http://env', GEMINI_API_KEY: 'env' }, noFile),
    { baseUrl: 'http://h:1', apiKey: 'flag', baseUrlSource: '--base-url', apiKeySource: '--api-key' },
  );
  const fromEnv = loadClientConfig({}, { GOOGLE_GEMINI_BASE_URL: 'https://generativelanguage.googleapis.com', GOOGLE_API_KEY: 'g' }, noFile);
  assert.deepEqual([fromEnv.baseUrl, fromEnv.apiKey, fromEnv.apiKeySource], ['https://generativelanguage.googleapis.com', 'g', 'GOOGLE_API_KEY']);
  assert.equal(loadClientConfig({}, { GEMINI_API_KEY: 'first', GOOGLE_API_KEY: 'second' }, noFile).apiKey, 'first');
  const local = loadClientConfig({}, { BATCHMODE_PORT: '9090', BATCHMODE_DATA_DIR: '/srv/bm' }, (path) => (path === '/srv/bm/api-key' ? 'stored' : undefined));
  assert.deepEqual([local.baseUrl, local.apiKey, local.apiKeySource], ['http://127.0.0.1:9090', 'stored', '/srv/bm/api-key']);
  assert.throws(() => loadClientConfig({}, { BATCHMODE_DATA_DIR: '/nowhere' }, noFile), (error: unknown) => error instanceof ConfigError && /--api-key or set GEMINI_API_KEY/.test(error.message));
  assert.throws(() => loadClientConfig({ baseUrl: 'ftp://x', apiKey: 'k' }, {}, noFile), /--base-url: not an http\(s\) URL/);
});

test('the largest-file quota follows --max-upload-bytes unless the config file sets it', () => {
  assert.equal(loadConfig({}, {}).quotas.default.largestFileBytes, 2 * 1024 ** 3);
  assert.equal(loadConfig({ maxUploadBytes: 4 * 1024 ** 3 }, {}).quotas.default.largestFileBytes, 4 * 1024 ** 3);
  assert.equal(loadConfig({}, {}).quotas.default.storedFileBytes, 20 * 1024 ** 3);
});

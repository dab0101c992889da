import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('defaults apply when nothing is set', () => {
  const config = loadConfig({}, {});
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1');
  assert.deepEqual(config.apiKeys, []);
  assert.equal(config.maxUploadBytes, 2 * 1024 ** 3);
  assert.ok(Object.isFrozen(config));
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

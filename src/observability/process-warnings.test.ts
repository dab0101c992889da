import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

const moduleUrl = (name: string): string => pathToFileURL(new URL(name, import.meta.url).pathname).href;

/**
 * Runs a small script in a fresh Node process (so the real default warning printer is there)
 * that warns the ways libraries do, with or without the handler installed; returns its stderr.
 */
function stderrOf(install: boolean): string {
  const script = `
    import { createLogger } from ${JSON.stringify(moduleUrl('../lib/logger.ts'))};
    import { installProcessWarnings } from ${JSON.stringify(moduleUrl('./process-warnings.ts'))};
    import { S3Client } from '@aws-sdk/client-s3';
    if (${install}) installProcessWarnings(createLogger({ level: 'info' }));
    process.emitWarning('something is deprecated\\nsecond line', { type: 'DeprecationWarning', code: 'DEP_TEST', detail: 'use the other thing' });
    // The AWS SDK v3 warns (process.emitWarning, multi-line) when a client is created on Node < 22.
    new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }).destroy();
    console.warn('a library says %s', 'careful');
    console.error(new Error('a library error'));
    // Warnings are emitted on the next tick: let them out before the process ends.
    setTimeout(() => undefined, 50);
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, NODE_NO_WARNINGS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '' },
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stderr;
}

const nodeMajor = Number(process.versions.node.split('.')[0]);

test('without the handler, Node and the libraries write plain text to stderr (what this fixes)', () => {
  const stderr = stderrOf(false);
  assert.match(stderr, /DeprecationWarning: something is deprecated/);
  assert.match(stderr, /^a library says careful$/m);
  if (nodeMajor < 22) assert.match(stderr, /NodeVersionSupportWarning/);
});

test('with it, every stderr line is a JSON log line: process warnings (the AWS SDK notice included) and console.warn/error', () => {
  const lines = stderrOf(true).split('\n').filter((line) => line !== '');
  const parsed = lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      assert.fail(`a stderr line is not JSON: ${line}`);
    }
  });
  const deprecation = parsed.find((line) => line.code === 'DEP_TEST');
  assert.deepEqual({ ...deprecation, time: undefined }, {
    time: undefined, level: 'warn', msg: 'something is deprecated\nsecond line', event: 'process.warning', name: 'DeprecationWarning',
    code: 'DEP_TEST', detail: 'use the other thing',
  });
  if (nodeMajor < 22) {
    const aws = parsed.find((line) => String(line.msg).startsWith('NodeVersionSupportWarning'));
    assert.equal(aws?.event, 'process.warning', `the AWS SDK's notice is a log line: ${JSON.stringify(parsed)}`);
    assert.equal(aws?.level, 'warn');
  }
  const consoleLines = parsed.filter((line) => line.event === 'console').map((line) => [line.level, String(line.msg).split('\n')[0]]);
  assert.deepEqual(consoleLines, [['warn', 'a library says careful'], ['error', 'Error: a library error']]);
});

test('the function returned puts back what was there', async () => {
  const { installProcessWarnings } = await import('./process-warnings.js');
  const { silentLogger } = await import('../lib/logger.js');
  const listeners = process.listeners('warning');
  const { warn, error } = console;
  const uninstall = installProcessWarnings(silentLogger);
  assert.notEqual(console.warn, warn);
  assert.equal(process.listeners('warning').length, 1);
  uninstall();
  assert.deepEqual(process.listeners('warning'), listeners);
  assert.equal(console.warn, warn);
  assert.equal(console.error, error);
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const run = (body: string): { status: number | null; stderr: string } => {
  const script = `import { installLastResort } from './src/lib/last-resort.ts';
import { createLogger } from './src/lib/logger.ts';
installLastResort(createLogger({ level: 'info' }));
${body}`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stderr: result.stderr };
};

test('an uncaught exception is logged with its stack and ends the process with status 70', () => {
  const { status, stderr } = run(`setImmediate(() => { throw new Error('boom in a callback'); });`);
  assert.equal(status, 70);
  const line = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as { level: string; msg: string; origin: string; error: { message: string; stack: string } };
  assert.equal(line.level, 'error');
  assert.match(line.msg, /uncaught exception/);
  assert.equal(line.origin, 'uncaughtException');
  assert.equal(line.error.message, 'boom in a callback');
  assert.match(line.error.stack, /boom in a callback/);
});

test('an unhandled rejection is logged and ends the process with status 70', () => {
  const { status, stderr } = run(`void Promise.reject(new Error('nobody listened'));`);
  assert.equal(status, 70);
  assert.match(stderr, /unhandled promise rejection/);
  assert.match(stderr, /nobody listened/);
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openLocalAppender } from './local-appender.js';

test('appends resolve once written, in order, and close flushes the rest', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'appender-')), 'log');
  const appender = openLocalAppender(path);
  const first = appender.append('a\n');
  void appender.append('b\n');
  assert.equal(readFileSync(path, 'utf8'), '', 'nothing is written within the tick');
  await first;
  assert.equal(readFileSync(path, 'utf8'), 'a\nb\n', 'one write for the tick');
  void appender.append('c\n');
  await appender.close();
  assert.equal(readFileSync(path, 'utf8'), 'a\nb\nc\n');
  await assert.rejects(appender.append('d\n'), /closed/);
});

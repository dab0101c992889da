import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openLocalAppender } from './local-appender.js';

test('appends resolve once written, in order, and close flushes the rest', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'appender-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'log');
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

test('a failed write rejects its appends and every later one, and throws nothing outside the promises', async () => {
  // /dev/full accepts the open and fails every write with ENOSPC, like a full disk.
  const appender = openLocalAppender('/dev/full');
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const first = appender.append('a\n');
    const second = appender.append('b\n');
    await assert.rejects(first, (error: unknown) => (error as { status?: string }).status === 'UNAVAILABLE' && /disk space \(ENOSPC\)/.test(String((error as Error).message)));
    await assert.rejects(second, /ENOSPC/);
    await assert.rejects(appender.append('c\n'), /ENOSPC/, 'a failed appender stays failed');
    await appender.close();
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('a tick of many appends, long ones and multi-byte text among them, is written whole and in order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'appender-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'log');
  const appender = openLocalAppender(path);
  const lines = Array.from({ length: 5000 }, (_, index) => {
    if (index % 1000 === 7) return `${'€'.repeat(400_000)}${index}\n`; // over the 1 MiB buffer on its own
    if (index % 3 === 0) return `ünïcødé ✓ 𝄞 ${index}\n`;
    return `${'x'.repeat(index % 700)} ${index}\n`;
  });
  await Promise.all(lines.map((line) => appender.append(line)));
  await appender.close();
  assert.equal(readFileSync(path, 'utf8'), lines.join(''));
});

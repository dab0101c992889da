/**
 * The command line on a real terminal, driven through tmux (a pseudo-terminal): `submit --wait`
 * shows the estimate and asks before creating, then draws a live progress bar; Ctrl-C asks whether to cancel the batch or leave it running;
 * leaving prints how to resume watching (exit 130); `batches watch` resumes, and Ctrl-C then
 * "c" cancels the batch (exit 1, CANCELLED, results kept).
 *
 * Needs tmux (Debian: `apt install tmux`; `.ci/run` installs it when missing).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'tty-key';
const projectRoot = resolve(import.meta.dirname, '../..');
const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** Reads the terminal until it shows `pattern`; answers the screen then. */
const waitForScreen = (session: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
  pollUntil(async () => tmux('capture-pane', '-p', '-t', session), (screen) => pattern.test(screen), timeoutMs, 150, `the terminal to show ${pattern}`);

describe('batchmode on a terminal (tmux)', () => {
  let server: ServerProcess;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-tty-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const sessions: string[] = [];
  const startSession = (name: string, args: string[]): string => {
    const session = `bm-${name}-${process.pid}`;
    // `sleep 60` keeps the pane open for the EXIT line to be read (the session is killed after);
    // TMPDIR keeps the CLI's own temporary files in `work`.
    const command = [
      'cd', quote(projectRoot), '&&', `TMPDIR=${quote(work)}`, `GOOGLE_GEMINI_BASE_URL=${quote(server.url)}`, `GEMINI_API_KEY=${KEY}`,
      quote(process.execPath), '--import', 'tsx', 'src/cli/main.ts', ...args.map(quote), '; echo "EXIT=$?"; sleep 60',
    ].join(' ');
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '30', command);
    sessions.push(session);
    return session;
  };

  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_SIM_LATENCY_MS: '50', BATCHMODE_WORKER_CONCURRENCY: '4' } });
  });
  after(async () => {
    for (const session of sessions) {
      try {
        tmux('kill-session', '-t', session);
      } catch {
        // already gone
      }
    }
    await server.stop();
  });

  test('live progress bar; Ctrl-C → leave running (130); watch; Ctrl-C → cancel (1)', { timeout: 120_000 }, async () => {
    const input = join(work, 'prompts.txt');
    writeFileSync(input, Array.from({ length: 3000 }, (_, index) => `prompt number ${index}`).join('\n'));

    const submit = startSession('submit', ['submit', input, '--model', 'gemini-2.5-flash', '--wait', '--poll-seconds', '0.3']);
    // On a terminal, submit shows the server's estimate and asks before creating.
    const asked = await waitForScreen(submit, /Create the batch on gemini-2\.5-flash\? \[Y\/n\]/);
    assert.match(asked, /estimate: 3,000 requests, ~[\d,]+ input tokens/);
    tmux('send-keys', '-t', submit, 'y', 'Enter');
    const drawn = await waitForScreen(submit, /RUNNING\s+[\d,]+\/3,000 done\s+0 failed\s+[\d,]+ pending\s+[\d.]+\/s\s+ETA/);
    assert.match(drawn, /[█░]{28}\s+\d+%/, 'the bar itself');
    const name = /created (batches\/[a-z0-9]+)/.exec(drawn)?.[1];
    assert.ok(name, drawn);

    tmux('send-keys', '-t', submit, 'C-c');
    await waitForScreen(submit, /Cancel batches\/[a-z0-9]+\? \[c\] cancel the batch, \[l\] leave it running/);
    tmux('send-keys', '-t', submit, 'l', 'Enter');
    const left = await waitForScreen(submit, /EXIT=\d+/);
    assert.match(left, new RegExp(`Left ${name} running\\. Watch it again with:\\s+batchmode batches watch ${name}`));
    assert.match(left, /EXIT=130/);
    const still = (await (await fetch(`${server.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': KEY } })).json()) as { metadata: { state: string } };
    assert.equal(still.metadata.state, 'BATCH_STATE_RUNNING', 'leaving does not cancel');

    const watch = startSession('watch', ['batches', 'watch', name, '--poll-seconds', '0.3']);
    await waitForScreen(watch, /RUNNING\s+[\d,]+\/3,000 done/);
    tmux('send-keys', '-t', watch, 'C-c');
    await waitForScreen(watch, /\[c\] cancel the batch/);
    tmux('send-keys', '-t', watch, 'c', 'Enter');
    const cancelled = await waitForScreen(watch, /EXIT=\d+/);
    assert.match(cancelled, /Cancelling batches\/[a-z0-9]+; results finished so far are kept/);
    assert.match(cancelled, /CANCELLED/);
    assert.match(cancelled, /EXIT=1\b/);
  });
});

/**
 * Watches a batch until it ends: polls it, draws a live progress bar on a terminal (done,
 * failed, pending, rate, ETA) and, on Ctrl-C, asks whether to cancel the batch or leave it
 * running (with no terminal to ask on, it is left running). Resolves the final operation, or
 * `left` when the user chose to leave it running.
 */
import { createInterface } from 'node:readline/promises';
import type { ApiClient } from '../client/api-client.js';
import { countsOf, isTerminalState, shortState, type BatchOperation } from '../client/wire-types.js';
import { formatCount, formatDuration } from './output/format.js';
import { createProgressBar } from './output/progress-bar.js';

export interface WatchOptions {
  client: ApiClient;
  name: string;
  pollMs?: number;
  /** What Ctrl-C does: ask (default), or cancel the batch without asking (`batchmode run`). */
  onInterrupt?: 'ask' | 'cancel';
  /** Where human messages go (stderr, so stdout stays for data). */
  out?: NodeJS.WriteStream;
  input?: NodeJS.ReadStream;
}

export type WatchResult = { kind: 'ended'; operation: BatchOperation } | { kind: 'left'; operation: BatchOperation };

const RATE_WINDOW_MS = 10_000;

export async function watchBatch(options: WatchOptions): Promise<WatchResult> {
  const { client, name } = options;
  const out = options.out ?? process.stderr;
  const input = options.input ?? process.stdin;
  const pollMs = options.pollMs ?? 1000;
  const bar = createProgressBar(out, shortName(name));
  const samples: { atMs: number; done: number }[] = [];
  let interrupted = false;
  let wakeUp: (() => void) | undefined;
  const onSigint = (): void => {
    interrupted = true;
    wakeUp?.();
  };
  process.on('SIGINT', onSigint);
  try {
    for (;;) {
      const operation = await client.getBatch(name);
      if (isTerminalState(operation.metadata?.state) && (operation.done ?? true)) {
        draw(operation);
        bar.done();
        return { kind: 'ended', operation };
      }
      draw(operation);
      if (interrupted) {
        interrupted = false;
        bar.clear();
        const choice = options.onInterrupt === 'cancel' ? 'cancel' : await ask();
        if (choice === 'leave') {
          out.write(`Left ${name} running. Watch it again with:  batchmode batches watch ${name}\n`);
          return { kind: 'left', operation };
        }
        out.write(`Cancelling ${name}; results finished so far are kept.\n`);
        await client.cancelBatch(name);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }

  function draw(operation: BatchOperation): void {
    const { total, succeeded, failed, pending } = countsOf(operation);
    const done = succeeded + failed;
    const now = Date.now();
    samples.push({ atMs: now, done });
    while (samples.length > 2 && now - (samples[0]?.atMs ?? now) > RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    const rate = first && now > first.atMs ? ((done - first.done) * 1000) / (now - first.atMs) : 0;
    const eta = rate > 0 ? formatDuration(pending / rate) : '?';
    bar.update(total > 0 ? done / total : 0, `${shortState(operation.metadata?.state)}  ${formatCount(done)}/${formatCount(total)} done  ${formatCount(failed)} failed  ${formatCount(pending)} pending  ${rate.toFixed(1)}/s  ETA ${eta}`);
  }

  async function ask(): Promise<'cancel' | 'leave'> {
    if (!input.isTTY) return 'leave';
    const prompt = createInterface({ input, output: out });
    // A second Ctrl-C while asking means: just leave.
    const leave = new Promise<'leave'>((resolve) => prompt.once('SIGINT', () => resolve('leave')));
    try {
      const answer = await Promise.race([prompt.question(`\nCancel ${name}? [c] cancel the batch, [l] leave it running (default): `), leave]);
      return /^c/i.test(answer.trim()) ? 'cancel' : 'leave';
    } finally {
      prompt.close();
    }
  }
}

const shortName = (name: string): string => name.replace(/^batches\//, '').slice(0, 12);

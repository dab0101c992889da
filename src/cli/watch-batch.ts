/**
 * Watches a batch until it ends. Each poll reads `:progress` (rate, ETA, why it waits, its place
 * in the queue; servers without it, such as Google's, are polled with batches.get alone) and,
 * now and then and at the end, the Operation (usage and cost so far, the final state). On a
 * terminal it draws a live progress bar; elsewhere (a log, CI) it prints a status line when the
 * state or the reason for waiting changes, and once a minute.
 *
 * Transient failures are the client's to retry (a notice per retry on stderr); watching holds
 * no state of its own, so it can be stopped and started again at any time. On Ctrl-C it asks
 * whether to cancel the batch or leave it running (with no terminal to ask on, it is left
 * running); a second Ctrl-C while a poll is stuck leaves at once. Resolves the final
 * operation, or `left` when the user chose to leave it running.
 */
import { createInterface } from 'node:readline/promises';
import type { ApiClient } from '../client/api-client.js';
import { ApiError } from '../client/api-error.js';
import { isTerminalState, type BatchOperation } from '../client/wire-types.js';
import { isGoogleEndpoint } from './estimate.js';
import { CliExit, EXIT } from './exit-codes.js';
import { createProgressBar } from './output/progress-bar.js';
import { numbersOf, progressLine, type ProgressFields, type ProgressNumbers } from './progress-view.js';

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
/** While :progress answers, the Operation (for usage and cost) is read every this many polls. */
const OPERATION_EVERY = 5;
/** Off a terminal, a status line at least this often. */
const LOG_EVERY_MS = 60_000;

export async function watchBatch(options: WatchOptions): Promise<WatchResult> {
  const { client, name } = options;
  const out = options.out ?? process.stderr;
  const input = options.input ?? process.stdin;
  const pollMs = options.pollMs ?? 1000;
  const bar = createProgressBar(out, shortName(name));
  const drawsBar = out.isTTY === true && process.stdout.isTTY === true;
  const samples: { atMs: number; done: number }[] = [];
  let lastLog = { key: '', atMs: 0 };
  let useProgress = !isGoogleEndpoint(client.baseUrl);
  let interrupted = false;
  let asking = false;
  let wakeUp: (() => void) | undefined;
  const onSigint = (): void => {
    if (interrupted && !asking) {
      // A second Ctrl-C while a poll is stuck (a server being retried): leave now.
      bar.clear();
      out.write(`\nLeft ${name} running. Watch it again with:  batchmode batches watch ${name}\n`);
      process.exit(EXIT.INTERRUPTED);
    }
    interrupted = true;
    wakeUp?.();
  };
  process.on('SIGINT', onSigint);
  let operation: BatchOperation | undefined;
  try {
    for (let poll = 0; ; poll++) {
      const progress = await readProgress();
      if (!progress || isTerminalState(progress.state) || poll % OPERATION_EVERY === 0 || interrupted) operation = await client.getBatch(name);
      const current: BatchOperation = operation ?? { name };
      const numbers = numbersOf(progress, operation);
      if (isTerminalState(current.metadata?.state) && (current.done ?? true)) {
        show(numbersOf(progress && isTerminalState(progress.state) ? progress : undefined, current), current, true);
        bar.done();
        return { kind: 'ended', operation: current };
      }
      show(numbers, current, false);
      if (interrupted) {
        bar.clear();
        const choice = options.onInterrupt === 'cancel' ? 'cancel' : await ask();
        interrupted = false;
        if (choice === 'leave') {
          out.write(`Left ${name} running. Watch it again with:  batchmode batches watch ${name}\n`);
          return { kind: 'left', operation: current };
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
  } catch (error) {
    if (error instanceof ApiError && error.httpStatus !== 404) {
      bar.clear();
      throw new CliExit(EXIT.FAILURE, `${error.message}\nThe batch is not affected: watch it again with  batchmode batches watch ${name}`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }

  /** `:progress`, or undefined on a server without it (then polling uses batches.get alone). */
  async function readProgress(): Promise<ProgressFields | undefined> {
    if (!useProgress) return undefined;
    try {
      return await client.getProgress(name);
    } catch (error) {
      // 404/400/501: no such extension here (a missing batch is reported by batches.get next).
      if (error instanceof ApiError && [400, 404, 405, 501].includes(error.httpStatus)) {
        useProgress = false;
        return undefined;
      }
      throw error;
    }
  }

  function show(numbers: ProgressNumbers, current: BatchOperation, final: boolean): void {
    const done = numbers.succeeded + numbers.failed;
    const now = Date.now();
    samples.push({ atMs: now, done });
    while (samples.length > 2 && now - (samples[0]?.atMs ?? now) > RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    const rate = first && now > first.atMs ? ((done - first.done) * 1000) / (now - first.atMs) : 0;
    const line = progressLine(numbers, current, { rate, ...(rate > 0 ? { etaSeconds: numbers.pending / rate } : {}) });
    if (drawsBar) {
      bar.update(numbers.total > 0 ? done / numbers.total : 0, line);
      return;
    }
    const key = `${numbers.state}|${numbers.pendingReason ?? ''}`;
    if (final || key !== lastLog.key || now - lastLog.atMs >= LOG_EVERY_MS) {
      out.write(`${name}: ${line}\n`);
      lastLog = { key, atMs: now };
    }
  }

  async function ask(): Promise<'cancel' | 'leave'> {
    if (!input.isTTY) return 'leave';
    asking = true;
    const prompt = createInterface({ input, output: out });
    // A second Ctrl-C while asking means: just leave.
    const leave = new Promise<'leave'>((resolve) => prompt.once('SIGINT', () => resolve('leave')));
    try {
      const answer = await Promise.race([prompt.question(`\nCancel ${name}? [c] cancel the batch, [l] leave it running (default): `), leave]);
      return /^c/i.test(answer.trim()) ? 'cancel' : 'leave';
    } finally {
      prompt.close();
      asking = false;
    }
  }
}

const shortName = (name: string): string => name.replace(/^batches\//, '').slice(0, 12);

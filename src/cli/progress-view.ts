/**
 * A batch's progress in words, from `:progress` (batchmode's extension: counts, rate, ETA, why
 * it is waiting, its place in the queue) and the Operation (token usage and cost so far): the
 * one line `watch` draws and logs, and the rows `batches get` prints. Servers without
 * `:progress` (Google's) give only the Operation's counts.
 */
import { countsOf, isTerminalState, shortState, type BatchOperation } from '../client/wire-types.js';
import { formatUsd } from './estimate.js';
import { formatCount, formatDuration } from './output/format.js';

/** The `:progress` fields read here (int64 counts arrive as strings). */
export interface ProgressFields {
  state?: string;
  requestCount?: string | number;
  successfulRequestCount?: string | number;
  failedRequestCount?: string | number;
  pendingRequestCount?: string | number;
  requestsPerSecond?: number;
  etaSeconds?: number;
  pendingReason?: string;
  queuePosition?: number;
}

/** Counts, rate and ETA, whichever source had them. */
export interface ProgressNumbers {
  state: string;
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  /** Requests per second, when known. */
  rate: number | undefined;
  etaSeconds: number | undefined;
  pendingReason: string | undefined;
  queuePosition: number | undefined;
}

export function numbersOf(progress: ProgressFields | undefined, operation: BatchOperation | undefined): ProgressNumbers {
  if (progress) {
    const total = Number(progress.requestCount ?? 0);
    const succeeded = Number(progress.successfulRequestCount ?? 0);
    const failed = Number(progress.failedRequestCount ?? 0);
    return {
      state: shortState(progress.state), total, succeeded, failed,
      pending: progress.pendingRequestCount === undefined ? Math.max(0, total - succeeded - failed) : Number(progress.pendingRequestCount),
      rate: progress.requestsPerSecond, etaSeconds: progress.etaSeconds,
      pendingReason: progress.pendingReason, queuePosition: progress.queuePosition,
    };
  }
  const counts = operation ? countsOf(operation) : { total: 0, succeeded: 0, failed: 0, pending: 0 };
  return { state: shortState(operation?.metadata?.state), ...counts, rate: undefined, etaSeconds: undefined, pendingReason: undefined, queuePosition: undefined };
}

/** The Operation's `usage` extension: tokens so far and, with pricing configured, the estimated cost. */
export function usageOf(operation: BatchOperation | undefined): { tokens: number; costUsd: number | undefined } | undefined {
  const usage = (operation?.metadata as { usage?: { totalTokenCount?: number | string; estimatedCostUsd?: number } } | undefined)?.usage;
  if (!usage) return undefined;
  const tokens = Number(usage.totalTokenCount ?? 0);
  return { tokens, costUsd: usage.estimatedCostUsd === undefined ? undefined : Number(usage.estimatedCostUsd) };
}

/** `QUEUED (2 batches ahead)`, `RATE_LIMITED`, …; undefined while it moves. */
export function waitingText(numbers: ProgressNumbers): string | undefined {
  if (!numbers.pendingReason) return undefined;
  if (numbers.pendingReason === 'QUEUED' && numbers.queuePosition !== undefined && numbers.queuePosition > 0) {
    return `QUEUED (${formatCount(numbers.queuePosition)} ${numbers.queuePosition === 1 ? 'batch' : 'batches'} ahead)`;
  }
  return numbers.pendingReason;
}

/**
 * The status line: `RUNNING  41,200/100,000 done  12 failed  58,788 pending  2480.5/s  ETA 24s`,
 * then why it waits and the usage so far. `rate` / `eta` override the server's (a local estimate).
 */
export function progressLine(numbers: ProgressNumbers, operation: BatchOperation | undefined, local: { rate?: number; etaSeconds?: number } = {}): string {
  const { total, succeeded, failed, pending } = numbers;
  const done = succeeded + failed;
  const rate = numbers.rate ?? local.rate ?? 0;
  const eta = numbers.etaSeconds ?? local.etaSeconds;
  let line = `${numbers.state}  ${formatCount(done)}/${formatCount(total)} done  ${formatCount(failed)} failed  ${formatCount(pending)} pending`;
  if (!isTerminalState(numbers.state)) {
    line += `  ${rate.toFixed(1)}/s  ETA ${eta === undefined ? '?' : formatDuration(eta)}`;
    const waiting = waitingText(numbers);
    if (waiting) line += `  waiting: ${waiting}`;
  }
  const usage = usageOf(operation);
  if (usage && usage.tokens > 0) line += `  ${formatCount(usage.tokens)} tokens${usage.costUsd === undefined ? '' : ` ${formatUsd(usage.costUsd)}`}`;
  return line;
}

/** The rows `batches get` adds: progress, rate, ETA, why it waits, usage and cost so far. */
export function progressRows(numbers: ProgressNumbers, operation: BatchOperation | undefined, hasProgress: boolean): [string, string | undefined][] {
  const usage = usageOf(operation);
  const running = !isTerminalState(numbers.state);
  return [
    ['rate', hasProgress && numbers.rate !== undefined ? `${numbers.rate.toFixed(1)} requests/s` : undefined],
    ['eta', hasProgress && running && numbers.etaSeconds !== undefined ? formatDuration(numbers.etaSeconds) : undefined],
    ['waiting', running ? waitingText(numbers) : undefined],
    ['queue position', hasProgress && running && numbers.queuePosition !== undefined && numbers.queuePosition > 0 ? formatCount(numbers.queuePosition) : undefined],
    ['tokens so far', usage ? formatCount(usage.tokens) : undefined],
    ['cost so far', usage?.costUsd !== undefined ? `~${formatUsd(usage.costUsd)}` : undefined],
  ];
}

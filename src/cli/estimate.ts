/**
 * Knowing before spending: the server's own dry run of a create (`validateBatch`, a batchmode
 * extension) on an uploaded request file. It answers the request count, the estimated input
 * tokens and, with pricing configured, the estimated input cost; or the line errors the create
 * would answer, which are mapped back to the user's input lines (`prompts.csv:7: …`).
 * Google's endpoint has no dry run (it could create the batch), so none is asked there.
 */
import type { ApiClient, BatchKind, BatchValidation } from '../client/api-client.js';
import { ApiError } from '../client/api-error.js';
import { CliExit, EXIT } from './exit-codes.js';
import { formatCount } from './output/format.js';

/** A line the server refused, numbered as in the user's input. */
export interface LineError {
  line: number;
  message: string;
}

/** The create would refuse these lines (exit 4). */
export class InvalidLinesError extends CliExit {
  override name = 'InvalidLinesError';
  constructor(
    readonly errors: LineError[],
    /** The server's note after the list, e.g. that only the first problems are listed. */
    readonly note: string | undefined,
  ) {
    super(EXIT.INVALID_LINES, `the server would refuse ${errors.length === 1 ? '1 line' : `${formatCount(errors.length)} lines`}${note ? ` ${note}` : ''}`);
  }
}

/** True for Google's endpoint, which has no dry-run create. */
export function isGoogleEndpoint(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname.endsWith('googleapis.com');
  } catch {
    return false;
  }
}

/**
 * The server's dry run of creating a batch from `fileName`. Line errors reject with
 * InvalidLinesError (line numbers through `sourceLine`); other failures with the ApiError.
 */
export async function validateFile(
  client: ApiClient,
  model: string,
  kind: BatchKind,
  fileName: string,
  sourceLine: (requestLine: number) => number,
): Promise<BatchValidation> {
  try {
    return await client.validateBatch(model, { fileName }, { kind });
  } catch (error) {
    if (error instanceof ApiError && error.httpStatus === 400) {
      const parsed = lineErrorsOf(error.message, sourceLine);
      if (parsed.errors.length > 0) throw new InvalidLinesError(parsed.errors, parsed.note);
    }
    throw error;
  }
}

/** `Error on line N: …` lines of a server message, renumbered; the rest of the last line is a note. */
export function lineErrorsOf(message: string, sourceLine: (requestLine: number) => number): { errors: LineError[]; note: string | undefined } {
  const errors: LineError[] = [];
  let note: string | undefined;
  for (const text of message.split('\n')) {
    const match = /Error on line (\d+): (.*)$/.exec(text);
    if (match) {
      // Other line numbers in the message (a duplicate key's first line) are request lines too.
      const detail = (match[2] ?? '').replace(/\bline (\d+)\b/g, (_all, n: string) => `line ${sourceLine(Number(n))}`);
      errors.push({ line: sourceLine(Number(match[1])), message: detail });
    } else if (errors.length > 0 && text.trim() !== '') {
      note = text.trim();
    }
  }
  return { errors, note };
}

/** `path:line: message` lines, as compilers print them. */
export function formatLineErrors(path: string, errors: readonly LineError[]): string {
  return errors.map((error) => `${path}:${error.line}: ${error.message}\n`).join('');
}

/** `$0.0123`: cents with enough digits to show small amounts. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toPrecision(2)}`;
}

/** The estimate as `key: value` rows. */
export function estimateFields(validation: BatchValidation): [string, string][] {
  return [
    ['requests', formatCount(validation.requestCount)],
    ['input tokens', `~${formatCount(validation.estimatedInputTokens)} (estimated)`],
    ['input cost', validation.estimatedInputCostUsd === undefined
      ? `unknown: no pricing configured for ${validation.model.replace(/^models\//, '')}`
      : `~${formatUsd(validation.estimatedInputCostUsd)} (batch price; output tokens not included)`],
  ];
}

/** One line: `estimate: 3 requests, ~120 input tokens, ~$0.0001 input cost`. */
export function estimateLine(validation: BatchValidation): string {
  const cost = validation.estimatedInputCostUsd === undefined ? 'no pricing configured' : `~${formatUsd(validation.estimatedInputCostUsd)} input cost (batch price, output not included)`;
  return `estimate: ${formatCount(validation.requestCount)} requests, ~${formatCount(validation.estimatedInputTokens)} input tokens, ${cost}`;
}

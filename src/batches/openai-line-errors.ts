/**
 * The line errors of an OpenAI batch input (OpenAI's `errors.data[]`): every invalid line is
 * counted, the first 100 are kept with their 1-based line, OpenAI's `code` and `param`. An
 * OpenAIInputError (openai-compat) carries its code and param; any other error keeps its
 * message only.
 */
import type { OpenAIBatchError } from '../core/batch.js';
import type { RpcStatus } from '../core/gemini-types.js';
import { OpenAIInputError } from '../openai-compat/index.js';
import { rpcStatus } from './result-line.js';

/** At most this many line errors are kept (and reported). */
export const MAX_OPENAI_LINE_ERRORS = 100;

export class OpenAILineErrors {
  readonly kept: OpenAIBatchError[] = [];
  /** Invalid lines in all, kept or not. */
  count = 0;

  add(line: number | null, error: unknown): void {
    this.count++;
    if (this.kept.length >= MAX_OPENAI_LINE_ERRORS) return;
    if (error instanceof OpenAIInputError) {
      this.kept.push({ line, code: error.code, message: error.message, param: error.param });
    } else {
      this.kept.push({ line, code: null, message: error instanceof Error ? error.message : String(error), param: null });
    }
  }

  /** The kept errors in line order (an error of the whole file first). */
  sorted(): OpenAIBatchError[] {
    return [...this.kept].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }

  /** The batch's error: INVALID_ARGUMENT naming the count and the first problem (in line order). */
  toStatus(): RpcStatus {
    const first = this.sorted()[0];
    if (!first) return rpcStatus('INVALID_ARGUMENT', 'The input file is invalid.');
    if (first.line === null) return rpcStatus('INVALID_ARGUMENT', first.message);
    const lines = this.count === 1 ? '1 invalid line' : `${this.count} invalid lines`;
    return rpcStatus('INVALID_ARGUMENT', `The input file has ${lines}; the first: line ${first.line}: ${first.message}`);
  }
}

/**
 * The error of a request the OpenAI-compatible surface refuses: an AppError (INVALID_ARGUMENT,
 * 400, unless told otherwise) that also carries OpenAI's `param` (the offending field, dotted
 * with `[i]` indices: `messages[2].content[0].image_url.url`) and `code` (`invalid_type`,
 * `invalid_value`, `missing_required_parameter`, …), which toOpenAIError writes into the body.
 * The factories below spell OpenAI's own messages for the common cases.
 */
import { AppError, type AppErrorOptions, type RpcStatusName } from '../core/errors.js';

export interface OpenAIInputErrorOptions extends AppErrorOptions {
  param?: string | null;
  code?: string | null;
  /** Default INVALID_ARGUMENT (e.g. NOT_FOUND for `model_not_found`). */
  status?: RpcStatusName;
}

/** A request the OpenAI surface refuses, naming the field at fault. */
export class OpenAIInputError extends AppError {
  readonly param: string | null;
  readonly code: string | null;

  constructor(message: string, options: OpenAIInputErrorOptions = {}) {
    const { param, code, status, ...appOptions } = options;
    super(status ?? 'INVALID_ARGUMENT', message, appOptions);
    this.name = 'OpenAIInputError';
    this.param = param ?? null;
    this.code = code ?? null;
  }
}

/** `'messages'` + 2 → `messages[2]`; `'body'` + `'model'` → `body.model`; `''` + `'model'` → `model`. */
export function paramPath(parent: string, child: string | number): string {
  if (typeof child === 'number') return `${parent}[${child}]`;
  return parent === '' ? child : `${parent}.${child}`;
}

/** A required field that is absent (or null). */
export function missingParameter(param: string): OpenAIInputError {
  return new OpenAIInputError(`Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
}

/** A field of the wrong JSON type. */
export function invalidType(param: string, expected: string, value: unknown): OpenAIInputError {
  return new OpenAIInputError(`Invalid type for '${param}': expected ${expected}, but got ${describeJsonType(value)} instead.`, { param, code: 'invalid_type' });
}

/** A field of the right type whose value is refused; `reason` completes "Invalid '<param>': …". */
export function invalidValue(param: string, reason: string, code = 'invalid_value'): OpenAIInputError {
  return new OpenAIInputError(`Invalid '${param}': ${reason}`, { param, code });
}

/** "a string", "an array", "null", "a number"… for messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  return `a ${typeof value}`;
}

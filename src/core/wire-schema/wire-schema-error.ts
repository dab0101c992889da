/**
 * The error the wire-schema validator throws. It is an `AppError` with INVALID_ARGUMENT, so an
 * interactive call that fails validation turns into a 400 through the one error handler, and
 * batch creation can collect several of them into one `Error on line N: ...` message.
 */
import { AppError } from '../errors.js';

/** Why a value was rejected; stable, for callers and tests (the message is for people). */
export type WireSchemaErrorReason =
  | 'invalid JSON'
  | 'unknown field'
  | 'invalid value'
  | 'duplicate field'
  | 'missing required field'
  | 'empty field';

/** A request body (or batch input line) that does not fit the Gemini request schema. */
export class WireSchemaError extends AppError {
  constructor(
    /** Where the problem is, dotted with `[i]` indices, keys as the client spelled them: `request.contents[0].parts[1].text`. */
    readonly fieldPath: string,
    readonly reason: WireSchemaErrorReason,
    message: string,
  ) {
    super('INVALID_ARGUMENT', message);
    this.name = 'WireSchemaError';
  }
}

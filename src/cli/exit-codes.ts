/**
 * The command line's exit statuses: scripts can tell success, a batch whose requests partly
 * failed, and a failure of the command or the batch apart.
 */
export const EXIT = {
  /** Done; with a batch, it SUCCEEDED and every request succeeded. */
  OK: 0,
  /** The command failed (API error, unreachable server), or the batch FAILED, was CANCELLED or EXPIRED. */
  FAILURE: 1,
  /** Bad usage or configuration (a missing flag, an unreadable input). */
  USAGE: 2,
  /**
   * The batch SUCCEEDED but some of its requests failed (their error lines are in the results);
   * `batches results`: some of the lines it wrote are error lines.
   */
  REQUESTS_FAILED: 3,
  /** `validate` (or `submit` before creating anything): the server refused lines of the input; they are listed on stderr. */
  INVALID_LINES: 4,
  /** Interrupted (Ctrl-C) with the batch left running. */
  INTERRUPTED: 130,
} as const;

/** An error that ends the command with a given status and message (no stack trace). */
export class CliExit extends Error {
  override name = 'CliExit';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Batch creation answers one 400 listing the bad lines of the input file, one per line, as the
 * real server does: `Error on line 1: ...\nError on line 2: ...`.
 */

/** `Error on line N: <message>` for the 1-based `lineNumber`; any thrown value is accepted. */
export function formatLineError(lineNumber: number, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `Error on line ${lineNumber}: ${message}`;
}

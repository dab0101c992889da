/**
 * The defaults that both the server's settings and the command-line client's endpoint and key
 * depend on, and how a list of API keys is written: one definition each.
 */

/** The port `batchmode serve` listens on, and the one the client calls, unless told otherwise. */
export const DEFAULT_PORT = 8080;

/** The data directory (database, file bytes, the generated key) unless told otherwise. */
export const DEFAULT_DATA_DIR = './batchmode-data';

/** The keys of a comma-separated list (`BATCHMODE_API_KEYS`), trimmed, empty entries dropped. */
export function splitApiKeys(list: string | undefined): string[] {
  return (list ?? '').split(',').map((key) => key.trim()).filter((key) => key.length > 0);
}

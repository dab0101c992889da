/**
 * How long a server asked us to wait before retrying, read from its response headers; the one
 * parser every HTTP backend uses. `retry-after-ms` (OpenAI's, milliseconds) wins over
 * `retry-after` (RFC 9110: a delay in seconds, or an HTTP date). Anything else, a negative
 * number included (which Date.parse would read as a year), asks for nothing.
 */

/** Response headers as undici gives them (lower-case names). */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The wait in milliseconds, or undefined when the headers ask for none (or say nonsense). */
export function retryAfterMs(headers: ResponseHeaders, now: number = Date.now()): number | undefined {
  const milliseconds = parseDelay(header(headers, 'retry-after-ms'));
  if (milliseconds !== undefined) return Math.ceil(milliseconds);
  const value = header(headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = parseDelay(value);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  // Only an HTTP date (`Fri, 11 Jul 2025 12:00:30 GMT`): Date.parse would read `-3` as a year.
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A non-negative decimal number, or undefined. */
function parseDelay(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

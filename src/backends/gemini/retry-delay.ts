/**
 * How long upstream asks us to wait before retrying: the `Retry-After` header (seconds or an
 * HTTP date) or, as Gemini sends it on 429, a google.rpc.RetryInfo detail (`"retryDelay": "12s"`).
 */

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/** Milliseconds from a `Retry-After` header value, or undefined when absent or unreadable. */
export function retryAfterHeaderMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Milliseconds from the first RetryInfo among google.rpc.Status `details`, or undefined. */
export function retryInfoDelayMs(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as unknown[]) {
    if (typeof detail !== 'object' || detail === null) continue;
    const { '@type': type, retryDelay } = detail as { '@type'?: unknown; retryDelay?: unknown };
    if (type !== RETRY_INFO_TYPE) continue;
    const delayMs = durationMs(retryDelay);
    if (delayMs !== undefined) return delayMs;
  }
  return undefined;
}

/** A google.protobuf.Duration: proto3 JSON `"12.5s"`, or `{seconds, nanos}` from other encoders. */
function durationMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]) * 1000);
  }
  if (typeof value === 'object' && value !== null) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const total = Number(seconds ?? 0) * 1000 + Number(nanos ?? 0) / 1e6;
    return Number.isFinite(total) && total >= 0 ? Math.ceil(total) : undefined;
  }
  return undefined;
}

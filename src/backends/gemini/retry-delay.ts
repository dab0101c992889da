/**
 * How long upstream asks us to wait before retrying, as Gemini sends it on 429: a
 * google.rpc.RetryInfo detail (`"retryDelay": "12s"`). Headers (`Retry-After`) are read by
 * lib/retry-after.ts and win over this.
 */

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

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

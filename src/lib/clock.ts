/** The time source; injectable so tests can move time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** RFC 3339 UTC timestamp with millisecond precision, as proto3 JSON writes Timestamps. */
export function toTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

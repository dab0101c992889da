/** Small number helpers for the report. */

/** The p-th percentile (0..100) by the nearest-rank method. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export const MIB = 1024 * 1024;

/** 1234567 → "1,234,567" */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMib(bytes: number): string {
  return `${(bytes / MIB).toFixed(0)} MiB`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

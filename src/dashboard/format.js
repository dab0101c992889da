/**
 * How the dashboard writes values: states, times, durations, counts, bytes and money. Pure
 * functions, shared by the views.
 */

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED']);

/** `BATCH_STATE_RUNNING` or `JOB_STATE_RUNNING` → `RUNNING`. */
export const stateName = (state) => String(state ?? '').replace(/^(BATCH|JOB)_STATE_/, '');

/** The batch is still PENDING or RUNNING. */
export const isActive = (state) => state !== undefined && !TERMINAL.has(stateName(state));

/** The states a user can filter the batches list by. */
export const STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED'];

/** @param {string | undefined} iso an RFC 3339 time */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** @param {number | undefined} ms */
export function formatDuration(ms) {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** From the create time to the end time (or to now while it runs). */
export function batchDuration(metadata, now = Date.now()) {
  const start = Date.parse(metadata.createTime);
  const end = metadata.endTime ? Date.parse(metadata.endTime) : now;
  return formatDuration(end - start);
}

export const formatCount = (value) => Number(value ?? 0).toLocaleString('en-US');

export function formatBytes(value) {
  const bytes = Number(value ?? 0);
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let size = bytes / 1024;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${size.toFixed(size < 10 ? 1 : 0)} ${units[unit]}`;
}

export const formatUsd = (value) => (value === undefined ? '—' : `$${Number(value).toFixed(value < 1 ? 4 : 2)}`);

/** `batchStats` (int64 strings, zeros omitted) as numbers. */
export function statsOf(metadata) {
  const stats = metadata?.batchStats ?? {};
  const total = Number(stats.requestCount ?? 0);
  const succeeded = Number(stats.successfulRequestCount ?? 0);
  const failed = Number(stats.failedRequestCount ?? 0);
  return { total, succeeded, failed, done: succeeded + failed };
}

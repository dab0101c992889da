/**
 * The Quota view: this key's limits and what it uses now (`GET /v1beta/quota`, a batchmode
 * extension): stored file bytes, largest file, concurrent batches, requests per batch and the
 * tokens enqueued per model; refreshed every five seconds. Read only: limits are set in the
 * server's config file.
 */
import { ErrorNote } from '../components/error-note.js';
import { formatBytes, formatCount as count } from '../format.js';
import { html } from '../html.js';
import { usePolling } from '../hooks.js';

const REFRESH_MS = 5_000;

const limitOf = (value, format) => (value === undefined ? html`<span class="muted">unlimited</span>` : format(value));

/** One row per quota: label, limit, use (or none where a limit is per call). */
export function quotaRows({ limits, usage }) {
  const models = Object.entries(usage.enqueuedTokensByModel);
  return [
    ['Stored file bytes', limitOf(limits.storedFileBytes, formatBytes), formatBytes(usage.storedFileBytes)],
    ['Largest file', limitOf(limits.largestFileBytes, formatBytes), '—'],
    ['Concurrent batches', limitOf(limits.activeBatches, count), count(usage.activeBatches)],
    ['Requests per batch', limitOf(limits.requestsPerBatch, count), '—'],
    ...(models.length === 0
      ? [['Enqueued tokens per model', limitOf(limits.enqueuedTokensPerModel, count), '0']]
      : models.map(([model, tokens]) => [`Enqueued tokens (${model})`, limitOf(limits.enqueuedTokensPerModel, count), count(tokens)])),
  ];
}

export function QuotaView({ api }) {
  const { data, error } = usePolling(() => api.getQuota(), [api], () => REFRESH_MS);
  return html`
    <section>
      <div class="toolbar"><h1>Quota</h1></div>
      <${ErrorNote} error=${error} />
      ${data ? html`
        <p class="muted">Tenant <span class="mono">${data.tenantId}</span>. A create or upload past a limit is refused with 429 RESOURCE_EXHAUSTED.</p>
        <table class="quota">
          <thead><tr><th>Quota</th><th class="num">Limit</th><th class="num">In use</th></tr></thead>
          <tbody>${quotaRows(data).map(([label, limit, use]) => html`
            <tr key=${label}><td>${label}</td><td class="num">${limit}</td><td class="num">${use}</td></tr>`)}
          </tbody>
        </table>` : null}
    </section>
  `;
}

/**
 * One batch: its Operation (`GET /v1beta/batches/{id}`) and its `:progress` refreshed every
 * second while it runs: progress bar and counts, rate, ETA, why it waits (`pendingReason`,
 * queue position), the model's limits, a throughput chart of the samples seen here, token
 * usage and estimated cost, the results so far (results-panel.js), the results file's download,
 * and Cancel and Delete, each confirmed in place.
 */
import { useRef, useState } from 'preact/hooks';
import { idOf } from '../api.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ErrorNote } from '../components/error-note.js';
import { ThroughputChart } from '../components/throughput-chart.js';
import { batchDuration, formatCount, formatDuration, formatTime, formatUsd, isActive, stateName, statsOf } from '../format.js';
import { html } from '../html.js';
import { usePolling } from '../hooks.js';
import { navigate } from '../router.js';
import { ResultsPanel } from './results-panel.js';

const LIVE_MS = 1_000;
/** Samples kept for the chart (about ten minutes at one a second). */
const MAX_SAMPLES = 600;

const REASONS = {
  QUEUED: 'queued behind other batches',
  RATE_LIMITED: 'the model is rate limited',
  BACKEND_UNAVAILABLE: 'the model backend is unavailable',
  NO_WORKERS: 'no worker is running',
  STOPPING: 'stopping',
};

export function BatchView({ api, id }) {
  const samples = useRef([]);
  const [actionError, setActionError] = useState();
  const { data, error, reload } = usePolling(
    async () => {
      const [operation, progress] = await Promise.all([api.getBatch(id), api.getProgress(id)]);
      const done = Number(progress.successfulRequestCount) + Number(progress.failedRequestCount);
      if (isActive(progress.state)) samples.current = [...samples.current, { t: Date.now(), done }].slice(-MAX_SAMPLES);
      return { operation, progress };
    },
    [api, id],
    ({ operation }) => (operation.done ? undefined : LIVE_MS),
  );
  if (!data) return html`<section><h1 class="mono">batches/${id}</h1><${ErrorNote} error=${error} />${error ? null : html`<p class="muted">Loading…</p>`}</section>`;

  const { operation, progress } = data;
  const metadata = operation.metadata ?? {};
  const state = stateName(metadata.state);
  const active = isActive(metadata.state);
  const resultsFile = metadata.output?.responsesFile;
  const act = (action) => async () => {
    setActionError(undefined);
    try {
      await action();
    } catch (failure) {
      setActionError(failure);
    }
  };
  const cancel = act(async () => {
    await api.cancelBatch(id);
    reload();
  });
  const remove = act(async () => {
    await api.deleteBatch(id);
    navigate('batches');
  });
  const download = act(() => api.downloadFile(idOf(resultsFile), `${idOf(resultsFile)}.jsonl`));

  return html`
    <section class="batch">
      <div class="toolbar">
        <h1>${metadata.displayName || 'Batch'} <span class=${`state state-${state.toLowerCase()}`} id="batch-state">${state.toLowerCase()}</span></h1>
        <div class="actions">
          ${resultsFile ? html`<button id="download-results" onClick=${download}>Download results</button>` : null}
          ${active ? html`<${ConfirmButton} label="Cancel" question="Cancel this batch?" confirmLabel="Yes, cancel it" onConfirm=${cancel} />` : null}
          <${ConfirmButton} label="Delete" question="Delete this batch?" confirmLabel="Yes, delete it" onConfirm=${remove} />
        </div>
      </div>
      <p class="mono muted">${operation.name} · ${String(metadata.model ?? '').replace(/^models\//, '')}</p>
      <${ErrorNote} error=${actionError ?? error} />
      <${Progress} metadata=${metadata} progress=${progress} />
      <div class="panels">
        <div class="panel">
          <h2>Throughput</h2>
          <${ThroughputChart} samples=${samples.current} />
        </div>
        <div class="panel">
          <h2>Usage</h2>
          <${Usage} usage=${metadata.usage} />
        </div>
      </div>
      <${ResultsPanel} api=${api} id=${id} doneCount=${statsOf(metadata).done} />
    </section>
  `;
}

function Progress({ metadata, progress }) {
  const total = Number(progress.requestCount);
  const succeeded = Number(progress.successfulRequestCount);
  const failed = Number(progress.failedRequestCount);
  const limits = progress.modelLimits;
  const reason = progress.pendingReason;
  return html`
    <div class="progress-block">
      <progress id="batch-progress" max="100" value=${progress.percentComplete}></progress>
      <dl class="facts">
        <div><dt>Done</dt><dd id="done-count">${formatCount(succeeded + failed)} / ${formatCount(total)} (${progress.percentComplete}%)</dd></div>
        <div><dt>Succeeded</dt><dd>${formatCount(succeeded)}</dd></div>
        <div><dt>Failed</dt><dd>${formatCount(failed)}</dd></div>
        <div><dt>Pending</dt><dd>${formatCount(progress.pendingRequestCount)}</dd></div>
        <div><dt>Rate</dt><dd>${progress.requestsPerSecond === undefined ? '—' : `${progress.requestsPerSecond} requests/s`}</dd></div>
        <div><dt>ETA</dt><dd>${progress.etaSeconds === undefined ? '—' : formatDuration(progress.etaSeconds * 1000)}</dd></div>
        <div><dt>Waiting</dt><dd>${reason ? REASONS[reason] ?? reason : '—'}${progress.queuePosition > 0 ? ` (queue position ${progress.queuePosition})` : ''}</dd></div>
        <div><dt>Model limits</dt><dd>${limits ? `${limits.inFlight} in flight of ${limits.concurrencyLimit}, ${limits.waiting} waiting${limits.rateLimitedUntil ? `, rate limited until ${formatTime(limits.rateLimitedUntil)}` : ''}` : '—'}</dd></div>
        <div><dt>Created</dt><dd>${formatTime(metadata.createTime)}</dd></div>
        <div><dt>Duration</dt><dd>${batchDuration(metadata)}</dd></div>
        <div><dt>Deadline</dt><dd>${formatTime(progress.deadline)}</dd></div>
        ${progress.lastBackendFailure ? html`<div><dt>Last backend failure</dt><dd>${progress.lastBackendFailure.status} at ${formatTime(progress.lastBackendFailure.time)}</dd></div>` : null}
      </dl>
    </div>
  `;
}

function Usage({ usage }) {
  if (!usage) return html`<p class="muted small">No tokens used yet.</p>`;
  const rows = [
    ['Prompt tokens', usage.promptTokenCount],
    ['Output tokens', usage.candidatesTokenCount],
    ['Thinking tokens', usage.thoughtsTokenCount],
    ['Cached tokens', usage.cachedContentTokenCount],
    ['Total tokens', usage.totalTokenCount],
  ].filter(([, value]) => value !== undefined);
  return html`
    <dl class="facts compact">
      ${rows.map(([label, value]) => html`<div><dt>${label}</dt><dd>${formatCount(value)}</dd></div>`)}
      <div><dt>Estimated cost</dt><dd>${usage.estimatedCostUsd === undefined ? 'no pricing configured' : formatUsd(usage.estimatedCostUsd)}</dd></div>
    </dl>
  `;
}

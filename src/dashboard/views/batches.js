/**
 * The Batches view: the tenant's batches newest first (`GET /v1beta/batches`), a page at a time,
 * refreshed every second while one on the page runs (every ten otherwise, so new batches
 * appear), and filtered by state. The API has no state filter, so the filter applies to the
 * page shown.
 */
import { useState } from 'preact/hooks';
import { idOf } from '../api.js';
import { navigate } from '../router.js';
import { ErrorNote } from '../components/error-note.js';
import { Pager } from '../components/pager.js';
import { STATES, batchDuration, formatCount, formatTime, isActive, stateName, statsOf } from '../format.js';
import { html } from '../html.js';
import { usePolling } from '../hooks.js';

const LIVE_MS = 1_000;
const IDLE_MS = 10_000;

export function BatchesView({ api }) {
  /** The page tokens walked so far; the last is the page shown ('' is the first page). */
  const [tokens, setTokens] = useState(['']);
  const [filter, setFilter] = useState('ALL');
  const token = tokens[tokens.length - 1];
  const { data, error } = usePolling(
    () => api.listBatches(token),
    [api, token],
    (page) => ((page.operations ?? []).some((operation) => isActive(operation.metadata?.state)) ? LIVE_MS : IDLE_MS),
  );
  const operations = data?.operations ?? [];
  const shown = filter === 'ALL' ? operations : operations.filter((operation) => stateName(operation.metadata?.state) === filter);

  return html`
    <section>
      <div class="toolbar">
        <h1>Batches</h1>
        <label>State
          <select id="state-filter" value=${filter} onChange=${(event) => setFilter(event.currentTarget.value)}>
            <option value="ALL">all</option>
            ${STATES.map((state) => html`<option value=${state}>${state.toLowerCase()}</option>`)}
          </select>
        </label>
        <a class="button" href="#/new">New batch</a>
      </div>
      <${ErrorNote} error=${error} />
      ${data === undefined && !error ? html`<p class="muted">Loading…</p>` : null}
      ${data !== undefined && shown.length === 0
        ? html`<p class="muted">${operations.length === 0 ? 'No batches yet.' : 'No batch on this page is in that state.'}</p>`
        : null}
      ${shown.length > 0 ? html`
        <table class="batches">
          <thead><tr>
            <th>Name</th><th>Display name</th><th>Model</th><th>State</th>
            <th class="num">Done / total</th><th class="num">Failed</th><th>Created</th><th class="num">Duration</th>
          </tr></thead>
          <tbody>${shown.map((operation) => html`<${BatchRow} operation=${operation} key=${operation.name} />`)}</tbody>
        </table>` : null}
      <${Pager} tokens=${tokens} setTokens=${setTokens} nextPageToken=${data?.nextPageToken} />
    </section>
  `;
}

function BatchRow({ operation }) {
  const metadata = operation.metadata ?? {};
  const id = idOf(operation.name);
  const stats = statsOf(metadata);
  const state = stateName(metadata.state);
  return html`
    <tr class="clickable" data-batch=${id} onClick=${() => navigate(`batches/${id}`)}>
      <td><a href=${`#/batches/${id}`} class="mono">${id}</a></td>
      <td>${metadata.displayName ?? ''}</td>
      <td>${String(metadata.model ?? '').replace(/^models\//, '')}</td>
      <td><span class=${`state state-${state.toLowerCase()}`}>${state.toLowerCase()}</span></td>
      <td class="num">${formatCount(stats.done)} / ${formatCount(stats.total)}</td>
      <td class="num">${stats.failed > 0 ? formatCount(stats.failed) : ''}</td>
      <td class="nowrap">${formatTime(metadata.createTime)}</td>
      <td class="num">${batchDuration(metadata)}</td>
    </tr>
  `;
}

/**
 * The Workers view: the worker processes alive now (`GET /v1beta/workers`), their load, and the
 * shards of this tenant's batches each one holds; refreshed every two seconds.
 */
import { idOf } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';
import { usePolling } from '../hooks.js';

const REFRESH_MS = 2_000;

export function WorkersView({ api }) {
  const { data, error } = usePolling(() => api.listWorkers(), [api], () => REFRESH_MS);
  const workers = data?.workers ?? [];
  return html`
    <section>
      <div class="toolbar"><h1>Workers</h1></div>
      <${ErrorNote} error=${error} />
      ${data !== undefined && workers.length === 0 ? html`<p class="muted">No worker is running: batches wait until one starts.</p>` : null}
      ${workers.length > 0 ? html`
        <table class="workers">
          <thead><tr>
            <th>Worker</th><th>Role</th><th>Version</th><th class="num">In flight / concurrency</th>
            <th class="num">Shards held</th><th>Started</th><th>Last heartbeat</th><th>Your batches' shards</th>
          </tr></thead>
          <tbody>${workers.map((worker) => html`
            <tr key=${worker.name}>
              <td class="mono">${worker.host} · pid ${worker.pid}</td>
              <td>${worker.role}</td>
              <td>${worker.version}</td>
              <td class="num">${worker.inFlightRequests} / ${worker.concurrency}</td>
              <td class="num">${worker.heldShardCount}</td>
              <td>${formatTime(worker.startTime)}</td>
              <td>${formatTime(worker.lastHeartbeatTime)}</td>
              <td>${worker.leases.length === 0 ? html`<span class="muted">none</span>` : html`
                <ul class="leases">${worker.leases.map((lease) => html`
                  <li><a class="mono" href=${`#/batches/${idOf(lease.batch)}`}>${idOf(lease.batch).slice(0, 12)}…</a>${' '}
                    shard ${lease.shard}: ${lease.completedCount} / ${lease.requestCount}</li>`)}
                </ul>`}
              </td>
            </tr>`)}
          </tbody>
        </table>` : null}
    </section>
  `;
}

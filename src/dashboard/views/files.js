/**
 * The Files view: the tenant's files newest first (`GET /v1beta/files`), a page at a time, each
 * downloadable (fetched with the key, saved from a Blob) and deletable after a confirmation.
 * Uploaded request files and the results files batches generate are both here.
 */
import { useState } from 'preact/hooks';
import { idOf } from '../api.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { ErrorNote } from '../components/error-note.js';
import { Pager } from '../components/pager.js';
import { formatBytes, formatTime } from '../format.js';
import { html } from '../html.js';
import { usePolling } from '../hooks.js';

export function FilesView({ api }) {
  const [tokens, setTokens] = useState(['']);
  const [actionError, setActionError] = useState();
  const token = tokens[tokens.length - 1];
  const { data, error, reload } = usePolling(() => api.listFiles(token), [api, token]);
  const files = data?.files ?? [];
  const act = (action) => async () => {
    setActionError(undefined);
    try {
      await action();
    } catch (failure) {
      setActionError(failure);
    }
  };
  return html`
    <section>
      <div class="toolbar"><h1>Files</h1><button onClick=${reload}>Refresh</button></div>
      <${ErrorNote} error=${actionError ?? error} />
      ${data !== undefined && files.length === 0 ? html`<p class="muted">No files.</p>` : null}
      ${files.length > 0 ? html`
        <table class="files">
          <thead><tr><th>Name</th><th>Display name</th><th>Source</th><th class="num">Size</th><th>Created</th><th>Expires</th><th></th></tr></thead>
          <tbody>${files.map((file) => {
            const id = idOf(file.name);
            return html`
              <tr key=${file.name} data-file=${id}>
                <td class="mono">${file.name}</td>
                <td>${file.displayName ?? ''}</td>
                <td>${String(file.source ?? '').toLowerCase()}</td>
                <td class="num">${formatBytes(file.sizeBytes)}</td>
                <td class="nowrap">${formatTime(file.createTime)}</td>
                <td class="nowrap">${formatTime(file.expirationTime)}</td>
                <td><div class="actions">
                  <button onClick=${act(() => api.downloadFile(id, `${file.displayName || id}${id.startsWith('batch-') ? '.jsonl' : ''}`))}>Download</button>
                  <${ConfirmButton} label="Delete" question="Delete this file?" confirmLabel="Yes, delete it"
                    onConfirm=${act(async () => { await api.deleteFile(id); reload(); })} />
                </div></td>
              </tr>`;
          })}</tbody>
        </table>` : null}
      <${Pager} tokens=${tokens} setTokens=${setTokens} nextPageToken=${data?.nextPageToken} />
    </section>
  `;
}

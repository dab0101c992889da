/**
 * A batch's results so far, from `:results` (finished lines in completion order while it runs,
 * its results file once it has ended): the first lines, only the error lines, or the lines whose
 * key contains a search text, with thumbnails of their images (result-images.js). The answer is
 * read as a stream and dropped once enough lines are kept, so a large batch costs one screenful.
 */
import { useEffect, useState } from 'preact/hooks';
import { ErrorNote } from '../components/error-note.js';
import { html } from '../html.js';
import { ImageThumbnails, imagesOf, withoutImageData } from './result-images.js';

const SHOWN = 50;

/** A line's key; an inline batch's lines carry their request's `metadata` instead. */
function keyOf(line) {
  if (typeof line.key === 'string') return line.key;
  if (typeof line.metadata?.key === 'string') return line.metadata.key;
  return line.metadata === undefined ? '' : JSON.stringify(line.metadata);
}

/** What one result says, in a line: the first text part, the images, an embedding's size, or the error. */
function summaryOf(line) {
  if (line.error) return `${line.error.status ?? 'ERROR'}: ${line.error.message ?? ''}`;
  const response = line.response ?? {};
  const text = response.candidates?.[0]?.content?.parts?.find((part) => typeof part.text === 'string')?.text;
  const images = imagesOf(line).length;
  if (images > 0) return `${images} image${images === 1 ? '' : 's'}${text === undefined ? '' : ` · ${text}`}`;
  if (text !== undefined) return text;
  const values = response.embedding?.values;
  if (Array.isArray(values)) return `embedding of ${values.length} values`;
  return JSON.stringify(response).slice(0, 200);
}

export function ResultsPanel({ api, id, doneCount }) {
  const [mode, setMode] = useState('first');
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState({ mode: 'first', search: '', at: 0 });
  const [answer, setAnswer] = useState();
  const [error, setError] = useState();

  useEffect(() => {
    let stale = false;
    const keep = query.mode === 'errors'
      ? (line) => line.error !== undefined
      : query.mode === 'key' ? (line) => keyOf(line).includes(query.search) : () => true;
    setError(undefined);
    api.scanResults(id, keep, SHOWN).then(
      (found) => !stale && setAnswer(found),
      (failure) => !stale && setError(failure),
    );
    return () => {
      stale = true;
    };
  }, [api, id, query]);

  const show = (event) => {
    event.preventDefault();
    setQuery({ mode, search, at: Date.now() });
  };
  return html`
    <div class="panel results">
      <h2>Results</h2>
      <form class="toolbar" onSubmit=${show}>
        <select id="results-mode" value=${mode} onChange=${(event) => setMode(event.currentTarget.value)}>
          <option value="first">first lines</option>
          <option value="errors">error lines only</option>
          <option value="key">key contains…</option>
        </select>
        ${mode === 'key' ? html`<input id="results-search" placeholder="key" value=${search} onInput=${(event) => setSearch(event.currentTarget.value)} />` : null}
        <button type="submit" id="results-show">Show</button>
        <span class="muted small">${doneCount} finished so far</span>
      </form>
      <${ErrorNote} error=${error} />
      ${answer ? html`
        <p class="muted small" id="results-summary">
          ${answer.lines.length} line${answer.lines.length === 1 ? '' : 's'} shown${answer.complete ? ` of ${answer.scanned} read` : `, the first ${SHOWN} that match`}
        </p>
        <${ImageThumbnails} lines=${answer.lines} keyOf=${keyOf} />
        ${answer.lines.length > 0 ? html`
          <table class="results-table">
            <thead><tr><th>Key</th><th>Outcome</th><th>Response</th></tr></thead>
            <tbody>${answer.lines.map((line) => html`
              <tr class=${line.error ? 'failed' : ''}>
                <td class="mono">${keyOf(line)}</td>
                <td>${line.error ? 'error' : 'ok'}</td>
                <td><details><summary>${summaryOf(line)}</summary><pre>${JSON.stringify(withoutImageData(line), null, 2)}</pre></details></td>
              </tr>`)}
            </tbody>
          </table>` : null}` : null}
    </div>
  `;
}

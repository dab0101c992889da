/**
 * New batch: the user drops (or picks) a JSONL, text or CSV file and picks a model from
 * `models.list`; the file is converted and checked here (batch-input.js) and its line errors
 * shown before anything is sent. Submitting uploads the request file through the resumable
 * upload API with a progress bar (upload.js), creates the batch on it
 * (`:batchGenerateContent`, or `:asyncBatchEmbedContent` for an embedding model) and opens
 * the batch's page. Errors the server finds in the file are shown with the user's line numbers.
 */
import { useMemo, useState } from 'preact/hooks';
import { idOf } from '../api.js';
import { convertInput, detectFormat } from '../batch-input.js';
import { ErrorNote } from '../components/error-note.js';
import { formatBytes } from '../format.js';
import { html } from '../html.js';
import { usePolling } from '../hooks.js';
import { navigate } from '../router.js';
import { uploadFile } from '../upload.js';

/** The batch kind a model serves, from its supportedGenerationMethods. */
function kindOf(model) {
  const methods = model?.supportedGenerationMethods ?? [];
  if (methods.includes('batchGenerateContent')) return 'generate';
  if (methods.includes('asyncBatchEmbedContent')) return 'embed';
  return undefined;
}

/** "Error on line 3: …" about the uploaded request file, told in the user's own line numbers. */
const inUserLines = (message, sourceLines) =>
  message.replace(/\bline (\d+)/g, (whole, number) => (sourceLines[Number(number) - 1] ? `line ${sourceLines[Number(number) - 1]}` : whole));

export function NewBatchView({ api }) {
  const models = usePolling(() => api.listModels(), [api]);
  const batchModels = (models.data?.models ?? []).filter((model) => kindOf(model) !== undefined);
  const [modelName, setModelName] = useState('');
  const [file, setFile] = useState();
  const [format, setFormat] = useState('text');
  const [columns, setColumns] = useState({ prompt: '', key: '' });
  const [displayName, setDisplayName] = useState('');
  /** The display name was typed, not taken from the file's name. */
  const [nameTyped, setNameTyped] = useState(false);
  const [sent, setSent] = useState();
  const [error, setError] = useState();
  const [dragging, setDragging] = useState(false);

  const model = batchModels.find((candidate) => candidate.name === modelName) ?? batchModels[0];
  const kind = kindOf(model) ?? 'generate';
  const converted = useMemo(
    () => (file ? convertInput(file.text, { format, kind, promptColumn: columns.prompt, keyColumn: columns.key }) : undefined),
    [file, format, kind, columns],
  );
  const busy = sent !== undefined;

  const choose = async (picked) => {
    if (!picked) return;
    const text = await picked.text();
    setError(undefined);
    setFormat(detectFormat(picked.name));
    setColumns({ prompt: '', key: '' });
    if (!nameTyped) setDisplayName(picked.name.replace(/\.[^.]*$/, ''));
    setFile({ name: picked.name, size: picked.size, text });
  };
  const onDrop = (event) => {
    event.preventDefault();
    setDragging(false);
    void choose(event.dataTransfer?.files?.[0]);
  };
  const submit = async (event) => {
    event.preventDefault();
    if (!converted || converted.errors.length > 0 || !model) return;
    setError(undefined);
    const blob = new Blob([converted.jsonl], { type: 'application/jsonl' });
    setSent({ bytes: 0, total: blob.size });
    try {
      const uploaded = await uploadFile({
        key: api.key, blob, displayName: displayName || file.name, mimeType: 'application/jsonl',
        onProgress: (bytes, total) => setSent({ bytes, total }),
      });
      const operation = await api.createBatch(idOf(model.name), kind, displayName, uploaded.name);
      navigate(`batches/${idOf(operation.name)}`);
    } catch (failure) {
      setError(inUserLines(failure.message, converted.sourceLines));
      setSent(undefined);
    }
  };

  return html`
    <section class="new-batch">
      <h1>New batch</h1>
      <form onSubmit=${submit}>
        <label class=${`drop-zone${dragging ? ' dragging' : ''}`} for="input-file"
          onDragOver=${(event) => { event.preventDefault(); setDragging(true); }}
          onDragLeave=${() => setDragging(false)} onDrop=${onDrop}>
          <strong>${file ? `${file.name} (${formatBytes(file.size)})` : 'Drop a file here, or click to choose one'}</strong>
          <span class="muted small">JSONL requests, a text file with one prompt per line, or a CSV with a prompt column</span>
          <input id="input-file" type="file" accept=".jsonl,.json,.ndjson,.txt,.csv,text/*" disabled=${busy}
            onChange=${(event) => choose(event.currentTarget.files?.[0])} />
        </label>
        <div class="fields">
          <label>Format
            <select id="input-format" value=${format} disabled=${busy} onChange=${(event) => setFormat(event.currentTarget.value)}>
              <option value="jsonl">JSONL requests</option>
              <option value="text">text, one prompt per line</option>
              <option value="csv">CSV</option>
            </select>
          </label>
          ${format === 'csv' && converted?.columns.length ? html`
            <label>Prompt column
              <select id="prompt-column" value=${columns.prompt} onChange=${(event) => setColumns({ ...columns, prompt: event.currentTarget.value })}>
                <option value="">${converted.columns.find((name) => name.toLowerCase() === 'prompt') ?? converted.columns[0]} (default)</option>
                ${converted.columns.map((name) => html`<option value=${name}>${name}</option>`)}
              </select>
            </label>
            <label>Key column
              <select id="key-column" value=${columns.key} onChange=${(event) => setColumns({ ...columns, key: event.currentTarget.value })}>
                <option value="">none (row-N)</option>
                ${converted.columns.map((name) => html`<option value=${name}>${name}</option>`)}
              </select>
            </label>` : null}
          <label>Model
            <select id="model" value=${model?.name ?? ''} disabled=${busy} onChange=${(event) => setModelName(event.currentTarget.value)}>
              ${batchModels.map((candidate) => html`<option value=${candidate.name}>${idOf(candidate.name)}${kindOf(candidate) === 'embed' ? ' (embeddings)' : ''}</option>`)}
            </select>
          </label>
          <label>Display name
            <input id="display-name" value=${displayName} maxlength="512" disabled=${busy} onInput=${(event) => { setDisplayName(event.currentTarget.value); setNameTyped(true); }} />
          </label>
        </div>
        <${ErrorNote} error=${models.error} />
        <${Check} converted=${converted} />
        ${sent ? html`
          <div class="upload">
            <progress id="upload-progress" max=${Math.max(1, sent.total)} value=${sent.bytes}></progress>
            <span class="muted small">${sent.bytes < sent.total ? `Uploading ${formatBytes(sent.bytes)} of ${formatBytes(sent.total)}` : 'Creating the batch…'}</span>
          </div>` : null}
        <${ErrorNote} error=${error} />
        <button type="submit" id="submit-batch" disabled=${busy || !model || !converted || converted.errors.length > 0}>Upload and create batch</button>
      </form>
    </section>
  `;
}

/** What the check of the file found: the number of requests, or its line errors. */
function Check({ converted }) {
  if (!converted) return null;
  if (converted.errors.length === 0) {
    return html`<p class="ok" id="input-check">${converted.count} request${converted.count === 1 ? '' : 's'} ready.</p>`;
  }
  return html`
    <div class="error" id="input-check" role="alert">
      <p>This file cannot be submitted; nothing has been uploaded:</p>
      <ul>${converted.errors.map((problem) => html`<li>${problem.line > 0 ? `Line ${problem.line}: ` : ''}${problem.message}</li>`)}</ul>
    </div>
  `;
}

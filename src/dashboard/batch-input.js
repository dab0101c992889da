/**
 * Turns a file the user dropped into a Batch Mode request file (JSONL of `{"key", "request"}`),
 * with the same input forms as `batchmode submit` (src/client/batch-input.ts):
 *
 * - `jsonl`: `{"key", "request"}` lines pass through (a missing key becomes `line-<n>`); a bare
 *   request (`{"contents": …}`, or `{"content": …}` for embeddings) is wrapped with `line-<n>`.
 * - `text`: one prompt per line (blank lines skipped), key `line-<n>`.
 * - `csv`: the prompt from a column, the key from a column or `row-<n>`.
 *
 * Every problem is reported with its line number before anything is uploaded. For an embedding
 * model (`kind: 'embed'`) a prompt becomes an EmbedContentRequest instead.
 */

/** @typedef {'jsonl' | 'text' | 'csv'} InputFormat */
/** @typedef {{ line: number, message: string }} LineError */

/** At most this many problems are listed. */
export const MAX_ERRORS = 20;

/** @param {string} fileName */
export function detectFormat(fileName) {
  const extension = /\.[^.]*$/.exec(fileName.toLowerCase())?.[0] ?? '';
  if (['.jsonl', '.json', '.ndjson'].includes(extension)) return 'jsonl';
  if (extension === '.csv') return 'csv';
  return 'text';
}

const requestOf = (prompt, kind) => (kind === 'embed'
  ? { content: { parts: [{ text: prompt }] } }
  : { contents: [{ role: 'user', parts: [{ text: prompt }] }] });

/**
 * @param {string} text the file's contents
 * @param {{ format: InputFormat, kind: 'generate' | 'embed', promptColumn?: string, keyColumn?: string }} options
 * @returns {{ jsonl: string, count: number, errors: LineError[], sourceLines: number[], columns: string[] }}
 *   `sourceLines[i]` is the input line that request line i+1 came from
 */
export function convertInput(text, options) {
  const out = { records: [], sourceLines: [], errors: [], columns: [] };
  const body = text.replace(/^\uFEFF/, '');
  if (options.format === 'csv') convertCsv(body, options, out);
  else convertLines(body, options, out);
  const seen = new Map();
  out.records.forEach((record, index) => {
    const line = out.sourceLines[index];
    if (seen.has(record.key)) out.errors.push({ line, message: `the key "${record.key}" is already used on line ${seen.get(record.key)}` });
    else seen.set(record.key, line);
  });
  if (out.records.length === 0 && out.errors.length === 0) out.errors.push({ line: 0, message: 'no requests found' });
  out.errors.sort((a, b) => a.line - b.line);
  return {
    jsonl: out.records.map((record) => `${JSON.stringify(record)}\n`).join(''),
    count: out.records.length,
    errors: out.errors.slice(0, MAX_ERRORS),
    sourceLines: out.sourceLines,
    columns: out.columns,
  };
}

function convertLines(text, { format, kind }, out) {
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const number = index + 1;
    if (raw.trim() === '') return;
    if (format === 'text') return add(out, { key: `line-${number}`, request: requestOf(raw, kind) }, number);
    let parsed;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      return out.errors.push({ line: number, message: `not JSON (${error.message}); pick "text" for one prompt per line` });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out.errors.push({ line: number, message: 'not a JSON object' });
    if ('request' in parsed) {
      if (parsed.key !== undefined && typeof parsed.key !== 'string') return out.errors.push({ line: number, message: '"key" must be a string' });
      if (typeof parsed.request !== 'object' || parsed.request === null) return out.errors.push({ line: number, message: '"request" must be an object' });
      return add(out, parsed.key === undefined ? { key: `line-${number}`, ...parsed } : parsed, number);
    }
    const field = kind === 'embed' ? 'content' : 'contents';
    if (field in parsed) return add(out, { key: `line-${number}`, request: parsed }, number);
    return out.errors.push({ line: number, message: `has neither "request" nor "${field}"` });
  });
}

function add(out, record, line) {
  out.records.push(record);
  out.sourceLines.push(line);
}

function convertCsv(text, { kind, promptColumn, keyColumn }, out) {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) return;
  out.columns = header.cells;
  const column = (name, fallback) => {
    if (name === undefined || name === '') return fallback;
    const index = header.cells.indexOf(name);
    if (index < 0) out.errors.push({ line: header.line, message: `there is no column "${name}" (columns: ${header.cells.join(', ')})` });
    return index;
  };
  const promptIndex = column(promptColumn, Math.max(0, header.cells.findIndex((cell) => cell.toLowerCase() === 'prompt')));
  const keyIndex = column(keyColumn, -1);
  if (out.errors.length > 0) return;
  rows.forEach(({ cells, line }, index) => {
    const prompt = cells[promptIndex];
    if (prompt === undefined || prompt.trim() === '') return;
    const key = keyIndex >= 0 ? cells[keyIndex] : `row-${index + 1}`;
    if (key === undefined || key === '') return out.errors.push({ line, message: 'the key column is empty' });
    add(out, { key, request: requestOf(prompt, kind) }, line);
  });
}

/**
 * RFC 4180 CSV: quoted fields with `""` escapes and line breaks inside quotes; blank lines
 * skipped. Each row keeps the line it starts on.
 * @returns {{ cells: string[], line: number }[]}
 */
export function parseCsv(input) {
  const text = input.replace(/\r\n?/g, '\n');
  const rows = [];
  let cells = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') rows.push({ cells, line: rowLine });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') line++;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n') {
      endRow();
      rowLine = line;
    } else cell += char;
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

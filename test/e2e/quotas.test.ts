/**
 * Per-tenant quotas over real HTTP (`batchmode serve --config` with a `quotas` section, no
 * workers, so batches stay PENDING and keep their quota): each limit is hit once and answered
 * 429 RESOURCE_EXHAUSTED with a google.rpc.QuotaFailure detail naming the limit, its value and
 * the current use; nothing is left behind (file and batch lists, upload sessions, blobs in the
 * data directory). Also the read-only view (`GET /v1beta/quota`) and `batchmode quota`.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tenantIdOf } from '../../src/auth/key-ring.js';
import { runCli } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const FILES = 'quota-files-key';
const BATCHES = 'quota-batches-key';
const TOKENS = 'quota-tokens-key';
const REQUESTS = 'quota-requests-key';
const MODEL = 'gemini-2.5-flash';

interface Violation { subject: string; description: string; quotaId: string; quotaValue: string; currentUsage: string; requested: string; quotaDimensions?: Record<string, string> }
interface ErrorBody { error: { code: number; status: string; message: string; details?: { '@type': string; violations?: Violation[] }[] } }

/** Asserts the 429 and returns its one QuotaFailure violation. */
function quotaViolation(status: number, body: ErrorBody, quotaId: string, limit: number, use: number): Violation {
  assert.equal(status, 429, JSON.stringify(body));
  assert.equal(body.error.code, 429);
  assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
  const failure = body.error.details?.find((detail) => detail['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure');
  assert.ok(failure?.violations?.length === 1, JSON.stringify(body));
  const violation = failure.violations[0]!;
  assert.equal(violation.quotaId, quotaId);
  assert.equal(violation.quotaValue, String(limit));
  assert.equal(violation.currentUsage, String(use));
  assert.match(violation.subject, /^tenant:[0-9a-f]{24}/);
  assert.ok(violation.description.includes(String(limit)), violation.description);
  return violation;
}

/** Every blob under the data directory, as relative paths. */
function blobsIn(dataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else found.push(relative(dataDir, join(dir, entry.name)));
    }
  };
  if (existsSync(join(dataDir, 'blobs'))) walk(join(dataDir, 'blobs'));
  return found.sort();
}

/** Two OpenAI chat lines of about 30 estimated tokens each. */
const OPENAI_LINES = [0, 1].map((i) => JSON.stringify({
  custom_id: `c${i}`, method: 'POST', url: '/v1/chat/completions',
  body: { model: MODEL, max_tokens: 20, messages: [{ role: 'user', content: 'y'.repeat(40) }] },
})).join('\n');

const requestOf = (text: string, maxOutputTokens: number): unknown => ({
  contents: [{ parts: [{ text }] }], generationConfig: { maxOutputTokens },
});

describe('quotas: 429 RESOURCE_EXHAUSTED with QuotaFailure, nothing half-created', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-quotas-'));
  let server: ServerProcess;

  const api = async (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: ErrorBody & Record<string, unknown> }> => {
    const reply = await fetch(path.startsWith('http') ? path : `${server.url}${path}`, {
      method,
      headers: { 'x-goog-api-key': key, ...(body === undefined || Buffer.isBuffer(body) ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await reply.text();
    return { status: reply.status, json: (text ? JSON.parse(text) : {}) as ErrorBody & Record<string, unknown> };
  };
  /** A resumable upload of `size` bytes, declared at start or not; the answer of the step that ended it. */
  const upload = async (key: string, size: number, declare: boolean): Promise<{ status: number; json: ErrorBody & Record<string, unknown>; url?: string }> => {
    const start = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST',
      headers: {
        'x-goog-api-key': key, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start', 'content-type': 'application/json',
        ...(declare ? { 'x-goog-upload-header-content-length': String(size) } : {}),
      },
      body: JSON.stringify({ file: { displayName: `q${size}` } }),
    });
    if (start.status !== 200) return { status: start.status, json: (await start.json()) as ErrorBody & Record<string, unknown> };
    const url = start.headers.get('x-goog-upload-url')!;
    const done = await api(key, 'POST', url, Buffer.alloc(size, 97), { 'x-goog-upload-offset': '0', 'x-goog-upload-command': 'upload, finalize' });
    return { ...done, url };
  };
  const inlineBatch = (key: string, requests: unknown[]) =>
    api(key, 'POST', `/v1beta/models/${MODEL}:batchGenerateContent`, {
      batch: { displayName: 'q', inputConfig: { requests: { requests: requests.map((request, i) => ({ request, metadata: { key: `k${i}` } })) } } },
    });
  const listed = async (key: string, what: 'files' | 'batches'): Promise<number> => {
    const page = await api(key, 'GET', `/v1beta/${what}`);
    assert.equal(page.status, 200);
    return ((page.json[what === 'files' ? 'files' : 'operations'] as unknown[] | undefined) ?? []).length;
  };

  before(async () => {
    const config = join(work, 'batchmode.yaml');
    writeFileSync(config, [
      'models:',
      `  - name: ${MODEL}`,
      '    backend: { type: simulated }',
      'quotas:',
      '  default: { requestsPerBatch: 1000 }',
      '  tenants:',
      `    ${tenantIdOf(FILES)}: { storedFileBytes: 1000, largestFileBytes: 600 }`,
      `    ${tenantIdOf(BATCHES)}: { activeBatches: 1 }`,
      `    ${tenantIdOf(TOKENS)}: { enqueuedTokensPerModel: 100 }`,
      `    ${tenantIdOf(REQUESTS)}: { requestsPerBatch: 3 }`,
    ].join('\n'));
    server = await startServerProcess({
      args: ['--config', config, '--workers', 'false'],
      env: { BATCHMODE_API_KEYS: [FILES, BATCHES, TOKENS, REQUESTS].join(','), BATCHMODE_CONFIG: '' },
    });
  });
  after(async () => {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('largest file: a declared size over it is refused at start, an undeclared one as its bytes go over', async () => {
    const blobs = blobsIn(server.dataDir);
    const declared = await upload(FILES, 601, true);
    quotaViolation(declared.status, declared.json, 'LargestFileBytes', 600, 0);
    const streamed = await upload(FILES, 700, false);
    const violation = quotaViolation(streamed.status, streamed.json, 'LargestFileBytes', 600, 0);
    assert.equal(violation.requested, '601', 'the bytes stop one past the limit');
    assert.equal((await api(FILES, 'POST', streamed.url!, undefined, { 'x-goog-upload-command': 'query' })).status, 404, 'the session is gone');
    assert.equal(await listed(FILES, 'files'), 0);
    assert.deepEqual(blobsIn(server.dataDir), blobs, 'no staged bytes left');
  });

  test('stored file bytes: uploads fit until the next would pass the limit', async () => {
    assert.equal((await upload(FILES, 500, true)).status, 200);
    assert.equal((await upload(FILES, 400, false)).status, 200);
    const blobs = blobsIn(server.dataDir);
    const declared = await upload(FILES, 200, true);
    quotaViolation(declared.status, declared.json, 'StoredFileBytes', 1000, 900);
    const streamed = await upload(FILES, 200, false);
    const violation = quotaViolation(streamed.status, streamed.json, 'StoredFileBytes', 1000, 900);
    assert.equal(violation.requested, '101');
    // The official SDK's upload meets the same answer.
    const ai = new GoogleGenAI({ apiKey: FILES, httpOptions: { baseUrl: server.url } });
    await assert.rejects(ai.files.upload({ file: new Blob([Buffer.alloc(150, 98)]), config: { mimeType: 'text/plain' } }), (error: unknown) => {
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.status, 429);
      quotaViolation(429, JSON.parse(error.message) as ErrorBody, 'StoredFileBytes', 1000, 900);
      return true;
    });
    assert.equal(await listed(FILES, 'files'), 2);
    assert.deepEqual(blobsIn(server.dataDir), blobs);
  });

  test('concurrent batches: a second PENDING batch is refused', async () => {
    assert.equal((await inlineBatch(BATCHES, [requestOf('hello', 10)])).status, 200);
    const blobs = blobsIn(server.dataDir);
    const refused = await inlineBatch(BATCHES, [requestOf('hello again', 10)]);
    quotaViolation(refused.status, refused.json, 'ActiveBatches', 1, 1);
    assert.equal(await listed(BATCHES, 'batches'), 1);
    assert.deepEqual(blobsIn(server.dataDir), blobs, 'no input copy of the refused batch');
  });

  test('enqueued tokens per model: estimated at create, counted per model, on both surfaces', async () => {
    // 40 characters = 10 prompt tokens, plus maxOutputTokens 10: 20 tokens a request.
    const request = requestOf('x'.repeat(40), 10);
    assert.equal((await inlineBatch(TOKENS, [request, request, request])).status, 200);
    const blobs = blobsIn(server.dataDir);
    const refused = await inlineBatch(TOKENS, [request, request, request]);
    const violation = quotaViolation(refused.status, refused.json, 'EnqueuedTokensPerModel', 100, 60);
    assert.equal(violation.requested, '60');
    assert.deepEqual(violation.quotaDimensions, { model: MODEL });

    // The OpenAI-compatible surface: a file of two chat lines (about 30 tokens each) → 429 in OpenAI's shape.
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([OPENAI_LINES]), 'in.jsonl');
    const file = await fetch(`${server.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS}` }, body: form });
    assert.equal(file.status, 200, await file.clone().text());
    const { id } = (await file.json()) as { id: string };
    const withFile = blobsIn(server.dataDir);
    assert.equal(withFile.length, blobs.length + 1);
    const openai = await fetch(`${server.url}/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input_file_id: id, endpoint: '/v1/chat/completions', completion_window: '24h' }),
    });
    const body = (await openai.json()) as { error: { message: string; type: string } };
    assert.equal(openai.status, 429, JSON.stringify(body));
    assert.match(body.error.message, /enqueued tokens limit of 100; 60 are enqueued/);
    assert.equal(await listed(TOKENS, 'batches'), 1);
    assert.deepEqual(blobsIn(server.dataDir), withFile);
  });

  test('requests per batch: a file batch of four lines is refused through the SDK, a default applies to other tenants', async () => {
    const ai = new GoogleGenAI({ apiKey: REQUESTS, httpOptions: { baseUrl: server.url } });
    const lines = [0, 1, 2, 3].map((i) => JSON.stringify({ key: `r${i}`, request: requestOf(`line ${i}`, 5) })).join('\n');
    const file = await ai.files.upload({ file: new Blob([lines]), config: { mimeType: 'application/jsonl' } });
    const blobs = blobsIn(server.dataDir);
    await assert.rejects(ai.batches.create({ model: MODEL, src: file.name! }), (error: unknown) => {
      assert.ok(error instanceof ApiError, String(error));
      quotaViolation(error.status, JSON.parse(error.message) as ErrorBody, 'RequestsPerBatch', 3, 0);
      return true;
    });
    assert.equal(await listed(REQUESTS, 'batches'), 0);
    assert.deepEqual(blobsIn(server.dataDir), blobs);
  });

  test('GET /v1beta/quota and `batchmode quota` show the limits in force and the use', async () => {
    const view = await api(TOKENS, 'GET', '/v1beta/quota');
    assert.equal(view.status, 200);
    assert.deepEqual(view.json, {
      tenantId: tenantIdOf(TOKENS),
      limits: { storedFileBytes: 20 * 1024 ** 3, largestFileBytes: 2 * 1024 ** 3, requestsPerBatch: 1000, enqueuedTokensPerModel: 100 },
      usage: { storedFileBytes: Buffer.byteLength(OPENAI_LINES), activeBatches: 1, enqueuedTokensByModel: { [MODEL]: 60 } },
    });
    const env = { ...process.env, GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: FILES };
    const json = await runCli(['quota', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { limits: Record<string, number>; usage: { storedFileBytes: number } };
    assert.deepEqual([parsed.limits.storedFileBytes, parsed.limits.largestFileBytes, parsed.usage.storedFileBytes], [1000, 600, 900]);
    const table = await runCli(['quota'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`tenant ${tenantIdOf(FILES)}`));
    assert.match(table.stdout, /stored file bytes\s+1000 B\s+900 B/);
    assert.match(table.stdout, /concurrent batches\s+unlimited\s+0/);
  });
});

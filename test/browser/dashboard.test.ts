/**
 * The web dashboard in a real browser (Debian's chromium, driven by playwright-core) against a
 * real `batchmode serve` process, used as a person would: a wrong key refused, sign in, the
 * batches list (another tenant's batch absent), a running batch's progress moving, its results
 * so far (error lines only, search by key), cancelling another batch, a file with a bad line
 * refused with its line number before anything is uploaded, submitting a text file from the page
 * and landing on its batch, downloading its results, the files and workers views, signing out.
 * Along the way: no CSP violation or script error, and the key never in a URL. Screenshots of
 * each view go to docs/screenshots/ (1280x800), rewritten every run.
 *
 * Chromium is required, not optional: without /usr/bin/chromium (`apt-get install chromium`)
 * this test fails and says so.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const CHROMIUM = '/usr/bin/chromium';
const KEY = 'dashboard-test-key';
const OTHER_KEY = 'dashboard-other-tenant';
const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

let server: ServerProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const requestedUrls: string[] = [];

/** Creates an inline batch through the API (as another client would), resolving its id. */
async function createBatch(key: string, displayName: string, prompts: string[]): Promise<string> {
  const response = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: { displayName, inputConfig: { requests: { requests: prompts.map((text, i) => ({ request: { contents: [{ parts: [{ text }] }] }, metadata: { key: `q-${i + 1}` } })) } } } }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { name: string }).name.replace('batches/', '');
}

async function api<T>(path: string): Promise<T> {
  return (await (await fetch(`${server.url}/v1beta/${path}`, { headers: { 'x-goog-api-key': KEY } })).json()) as T;
}

const text = (selector: string): Promise<string> => page.locator(selector).first().innerText();
const shoot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SCREENSHOTS, `dashboard-${name}.png`) });

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The dashboard's browser test needs Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does).`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startServerProcess({
    env: {
      BATCHMODE_API_KEYS: `${KEY},${OTHER_KEY}`,
      BATCHMODE_SIM_LATENCY_MS: '50',
      BATCHMODE_WORKER_CONCURRENCY: '2',
      BATCHMODE_SIM_FAULTS: JSON.stringify([{ match: 'FAIL-ME', error: 'INVALID_ARGUMENT' }]),
    },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('request', (request) => requestedUrls.push(request.url()));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the dashboard, as a person uses it', async (t) => {
  const watched = await createBatch(KEY, 'nightly-eval', Array.from({ length: 500 }, (_, i) => (i % 25 === 7 ? `FAIL-ME ${i}` : `Question ${i + 1}`)));
  const toCancel = await createBatch(KEY, 'to-cancel', Array.from({ length: 300 }, (_, i) => `Other ${i}`));
  await createBatch(OTHER_KEY, 'another-tenant', ['Hidden']);

  await t.test('a wrong key is refused', async () => {
    await page.goto(server.url);
    await page.locator('#api-key').waitFor();
    await shoot('sign-in');
    await page.fill('#api-key', 'not-a-key');
    await page.click('button[type=submit]');
    assert.match(await text('.sign-in .error'), /not accepted/);
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
  });

  await t.test('sign in: the batches list, newest first, this tenant only', async () => {
    await page.fill('#api-key', KEY);
    await page.click('button[type=submit]');
    await page.locator('table.batches tbody tr').nth(1).waitFor();
    const rows = await page.locator('table.batches tbody tr').allInnerTexts();
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.match(rows[0]!, /to-cancel/);
    assert.match(rows[1]!, /nightly-eval/);
    assert.doesNotMatch(rows.join('\n'), /another-tenant/);
    assert.equal(await page.evaluate("sessionStorage.getItem('batchmode.apiKey')"), KEY);
    await page.selectOption('#state-filter', 'SUCCEEDED');
    assert.match(await text('main section'), /No batch on this page is in that state/);
    await page.selectOption('#state-filter', 'ALL');
    await page.locator(`tr[data-batch="${watched}"]`).waitFor();
    await shoot('batches');
  });

  await t.test("a running batch's progress moves; its results so far", async () => {
    await page.click(`tr[data-batch="${watched}"]`);
    await page.locator('#done-count').waitFor();
    const done = async (): Promise<number> => Number((await text('#done-count')).split(' / ')[0]!.replace(/,/g, ''));
    const first = await done();
    assert.ok(first < 500, `already done: ${first}`);
    const moved = await pollUntil(done, (count) => count > first, 20_000, 100, 'the progress to move');
    await pollUntil(done, (count) => count > moved, 20_000, 100, 'the progress to move again');
    // A few samples drawn: the chart has a line of at least three rates.
    const line = page.locator('svg.chart polyline');
    await line.waitFor();
    await pollUntil(async () => (await line.getAttribute('points')) ?? '', (points) => points.split(' ').length >= 3, 20_000, 100, 'the throughput chart');
    assert.match(await text('#batch-state'), /running/);
    await shoot('batch');

    await page.locator('#results-summary').waitFor();
    assert.ok((await page.locator('.results-table tbody tr').count()) > 0);
    await page.selectOption('#results-mode', 'errors');
    await page.click('#results-show');
    await pollUntil(() => page.locator('.results-table tbody tr').allInnerTexts(), (rows) => rows.length > 0 && rows.every((row) => /INVALID_ARGUMENT/.test(row)), 20_000, 100, 'error lines only');
    await page.selectOption('#results-mode', 'key');
    await page.fill('#results-search', 'q-2');
    await page.click('#results-show');
    await pollUntil(() => page.locator('.results-table tbody tr td:first-child').allInnerTexts(), (keys) => keys.length > 0 && keys.every((key) => key.includes('q-2')), 20_000, 100, 'lines by key');
  });

  await t.test('cancel another batch, confirmed', async () => {
    await page.goto(`${server.url}/#/batches/${toCancel}`);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await pollUntil(() => text('#batch-state'), (state) => state === 'cancelled', 20_000, 100, 'the batch to be cancelled');
    const operation = await api<{ metadata: { state: string } }>(`batches/${toCancel}`);
    assert.equal(operation.metadata.state, 'BATCH_STATE_CANCELLED');
  });

  await t.test('a file with a bad line is refused with its line number, nothing uploaded', async () => {
    const filesBefore = await api<{ files?: unknown[] }>('files');
    await page.click('nav >> text=New batch');
    await page.setInputFiles('#input-file', {
      name: 'requests.jsonl', mimeType: 'application/jsonl',
      buffer: Buffer.from('{"key":"a","request":{"contents":[{"parts":[{"text":"hi"}]}]}}\n\n{"key":"b","request":\n'),
    });
    await page.locator('#input-check', { hasText: 'Line 3: not JSON' }).waitFor();
    assert.equal(await page.locator('#submit-batch').isDisabled(), true);
    await shoot('new-batch');
    const filesAfter = await api<{ files?: unknown[] }>('files');
    assert.equal(filesAfter.files?.length ?? 0, filesBefore.files?.length ?? 0);

    // A line only the server can judge (empty contents) is refused at create, before anything
    // is queued, and told in the user's line numbers (the blank line 2 is not in the upload).
    const batchesBefore = await api<{ operations?: unknown[] }>('batches');
    await page.setInputFiles('#input-file', {
      name: 'subtle.jsonl', mimeType: 'application/jsonl',
      buffer: Buffer.from('{"key":"a","request":{"contents":[{"parts":[{"text":"hi"}]}]}}\n\n{"key":"b","request":{"contents":[]}}\n'),
    });
    await page.locator('#input-check', { hasText: '2 requests ready' }).waitFor();
    await page.click('#submit-batch');
    assert.match(await text('.new-batch form > p.error'), /line 3\b/);
    const batchesAfter = await api<{ operations?: unknown[] }>('batches');
    assert.equal(batchesAfter.operations?.length, batchesBefore.operations?.length);
  });

  let submitted = '';
  await t.test('submit a text file from the page: upload, create, land on its page, download the results', async () => {
    await page.setInputFiles('#input-file', { name: 'prompts.txt', mimeType: 'text/plain', buffer: Buffer.from('Name three primes.\n\nWrite a haiku about queues.\nExplain batching.\n') });
    await page.locator('#input-check', { hasText: '3 requests ready' }).waitFor();
    assert.equal(await page.inputValue('#input-format'), 'text');
    await page.fill('#display-name', 'from-the-page');
    await page.click('#submit-batch');
    await page.waitForURL(/#\/batches\/[a-z0-9]+$/);
    submitted = page.url().split('/').pop()!;
    await pollUntil(() => text('#batch-state'), (state) => state === 'succeeded', 60_000, 200, 'the submitted batch to succeed');
    const operation = await api<{ metadata: { displayName: string; batchStats: { requestCount: string } } }>(`batches/${submitted}`);
    assert.equal(operation.metadata.displayName, 'from-the-page');
    assert.equal(operation.metadata.batchStats.requestCount, '3');

    await page.click('#results-show');
    await pollUntil(() => page.locator('.results-table tbody tr td:first-child').allInnerTexts(), (keys) => keys.join(',') === 'line-1,line-3,line-4', 20_000, 100, 'the results');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-results')]);
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string });
    assert.deepEqual(lines.map((line) => line.key), ['line-1', 'line-3', 'line-4']);
  });

  await t.test('files: listed, downloadable, deletable', async () => {
    await page.click('nav >> text=Files');
    await page.locator(`tr[data-file="batch-${submitted}"]`).waitFor();
    const uploaded = page.locator('table.files tbody tr:not([data-file^="batch-"])', { hasText: 'from-the-page' });
    await uploaded.waitFor();
    await shoot('files');
    const id = (await uploaded.getAttribute('data-file'))!;
    const [download] = await Promise.all([page.waitForEvent('download'), uploaded.getByRole('button', { name: 'Download' }).click()]);
    const requests = readFileSync(await download.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; request: unknown });
    assert.deepEqual(requests[1], { key: 'line-3', request: { contents: [{ role: 'user', parts: [{ text: 'Write a haiku about queues.' }] }] } });
    await uploaded.getByRole('button', { name: 'Delete' }).click();
    await uploaded.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.locator(`tr[data-file="${id}"]`).waitFor({ state: 'detached' });
    const answer = await fetch(`${server.url}/v1beta/files/${id}`, { headers: { 'x-goog-api-key': KEY } });
    assert.equal(answer.status, 403);
  });

  await t.test('workers: the live ones, with the shards they hold', async () => {
    const running = await createBatch(KEY, 'busy', Array.from({ length: 200 }, (_, i) => `Busy ${i}`));
    await page.click('nav >> text=Workers');
    await page.locator(`table.workers a[href="#/batches/${running}"]`).waitFor();
    assert.match(await text('table.workers tbody tr'), /serve/);
    await shoot('workers');
    await fetch(`${server.url}/v1beta/batches/${running}:cancel`, { method: 'POST', headers: { 'x-goog-api-key': KEY } });
  });

  await t.test("quota: this key's limits and use", async () => {
    await page.click('nav >> text=Quota');
    await page.locator('table.quota tbody tr').first().waitFor();
    const rows = await page.locator('table.quota tbody tr').allInnerTexts();
    assert.match(rows.find((row) => row.startsWith('Stored file bytes')) ?? '', /20 GiB/, rows.join('\n'));
    assert.match(rows.find((row) => row.startsWith('Concurrent batches')) ?? '', /unlimited/, rows.join('\n'));
  });

  await t.test('sign out forgets the key; it never went into a URL; no CSP violation', async () => {
    // The watch for violations sees one: an injected inline script is refused and reported.
    const seen = problems.length;
    const injected = "(() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.append(s); return window.injected === true; })()";
    assert.equal(await page.evaluate(injected), false);
    await pollUntil(async () => problems.length, (count) => count > seen, 5_000, 50, 'the refused inline script to be reported');
    assert.match(problems.splice(seen).join('\n'), /Content Security Policy/);
    await page.click('text=Sign out');
    await page.locator('#api-key').waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    assert.deepEqual(requestedUrls.filter((url) => url.includes(KEY)), []);
    assert.deepEqual(problems, []);
  });
});

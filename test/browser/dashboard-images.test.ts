/**
 * The dashboard's thumbnails of a batch's images, in a real browser (Debian's chromium, driven
 * by playwright-core) against a real `batchmode serve`: an inline batch on the simulated image
 * model, its page shows one thumbnail per image (a line with two candidates gives two), each
 * decoded by the browser at the size the aspect ratio asks, captioned with its key; the JSON
 * under a line shows the base64's length, not the bytes; no CSP violation or script error.
 *
 * Chromium is required: without /usr/bin/chromium this test fails and says so.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const CHROMIUM = '/usr/bin/chromium';
const KEY = 'dashboard-images-key';

let server: ServerProcess;
let browser: Browser;
let page: Page;
const problems: string[] = [];

interface Thumbnail {
  caption: string;
  width: number;
  height: number;
  complete: boolean;
}

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The dashboard's browser test needs Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\`.`);
  server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY } });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a batch's page shows thumbnails of its images", { timeout: 120_000 }, async () => {
  const requests = [
    { request: { contents: [{ parts: [{ text: 'a red fox' }] }], generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } }, metadata: { key: 'fox' } },
    { request: { contents: [{ parts: [{ text: 'two wide birds' }] }], generationConfig: { responseModalities: ['IMAGE'], candidateCount: 2, imageConfig: { aspectRatio: '16:9' } } }, metadata: { key: 'birds' } },
    { request: { contents: [{ parts: [{ text: 'describe a fox' }] }], generationConfig: { responseModalities: ['TEXT'] } }, metadata: { key: 'words' } },
  ];
  const response = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash-image:batchGenerateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: { displayName: 'pictures', inputConfig: { requests: { requests } } } }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const id = ((await response.json()) as { name: string }).name.replace('batches/', '');

  await page.goto(server.url);
  await page.fill('#api-key', KEY);
  await page.click('button[type=submit]');
  await page.locator(`tr[data-batch="${id}"]`).waitFor();
  await page.goto(`${server.url}/#/batches/${id}`);
  await pollUntil(() => page.locator('#batch-state').innerText(), (state) => state === 'succeeded', 30_000, 100, 'the batch to succeed');
  await page.click('#results-show');
  await page.locator('#result-images img').nth(2).waitFor();

  // Evaluated in the page as text: the tests compile without the DOM's types.
  const thumbnails = await page.evaluate<Thumbnail[]>(`[...document.querySelectorAll('#result-images figure')].map((figure) => {
    const image = figure.querySelector('img');
    return { caption: figure.querySelector('figcaption').textContent, width: image.naturalWidth, height: image.naturalHeight, complete: image.complete };
  })`);
  assert.deepEqual(thumbnails.map((thumbnail) => thumbnail.caption).sort(), ['birds #1', 'birds #2', 'fox']);
  for (const thumbnail of thumbnails) assert.ok(thumbnail.complete, `${thumbnail.caption} loaded`);
  const sizes = Object.fromEntries(thumbnails.map((thumbnail) => [thumbnail.caption, `${thumbnail.width}x${thumbnail.height}`]));
  assert.deepEqual(sizes, { fox: '256x256', 'birds #1': '256x144', 'birds #2': '256x144' }, 'the browser decoded each PNG');
  assert.match(await page.locator('#result-images').innerText(), /3 images in these lines/);
  const rows = await page.locator('.results-table tbody tr').allInnerTexts();
  assert.ok(rows.some((row) => /birds\s+ok\s+2 images/.test(row)), rows.join('\n'));
  const json = await page.evaluate<string[]>("[...document.querySelectorAll('.results-table pre')].map((block) => block.textContent)");
  assert.ok(json.some((text) => /<\d+ bytes of base64>/.test(text)), 'the shown JSON names the base64 length');
  assert.ok(json.every((text) => !/iVBORw0KGgo/.test(text)), 'no base64 in the shown JSON');
  assert.deepEqual(problems, []);
});

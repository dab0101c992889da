/**
 * The dashboard's routes over real HTTP, in process: the page and its assets with the right
 * content types, ETags and caching, the strict CSP whose hash admits exactly the page's import
 * map, every module the page imports served, no API key needed for them while the API still
 * wants one, and nothing outside the dashboard's folder reachable, however the path is spelled.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createKeyRing } from '../auth/key-ring.js';
import { silentLogger } from '../lib/logger.js';
import { request, send } from '../../test/support/raw-http.js';
import { createApp } from './app.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { workersRoutes } from './workers-routes.js';

const KEY = 'dashboard-key';

async function serve(dir?: string): Promise<{ server: Server; base: string; port: number }> {
  const routes = [...dashboardRoutes(dir === undefined ? {} : { dir }), ...workersRoutes({ directory: { list: async () => [] } as never })];
  const server = createServer(createApp({ routes, keys: createKeyRing([KEY]), logger: silentLogger, publicUrl: undefined }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}`, port };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
});

describe('dashboard routes', () => {
  let server: Server;
  let base: string;
  before(async () => ({ server, base } = await serve()));
  after(() => close(server));

  test('GET / is the page, with a strict CSP whose one hash is its import map', async () => {
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const page = await response.text();
    const importMap = /<script type="importmap">([^<]*)<\/script>/.exec(page)?.[1];
    assert.ok(importMap, page);
    const hash = createHash('sha256').update(importMap).digest('base64');
    assert.equal(
      response.headers.get('content-security-policy'),
      `default-src 'none'; script-src 'self' 'sha256-${hash}'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    );
    // No other inline script, no inline style the policy would refuse.
    assert.equal(page.match(/<script(?![^>]*\bsrc=)[^>]*>/g)?.length, 1);
    assert.doesNotMatch(page, /\sstyle=|<style/);
    assert.doesNotMatch(page, /\{\{IMPORT_MAP\}\}/);
  });

  test('an ETag answers 304 to a matching If-None-Match; HEAD has no body', async () => {
    const first = await fetch(`${base}/dashboard/app.js`);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]+"$/);
    const again = await fetch(`${base}/dashboard/app.js`, { headers: { 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.ok(again.headers.get('content-security-policy'));
    const changed = await fetch(`${base}/dashboard/app.js`, { headers: { 'if-none-match': '"other"' } });
    assert.equal(changed.status, 200);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.ok(Number(head.headers.get('content-length')) > 0);
  });

  test('every module the page imports is served: its own with no-cache, the vendor ones versioned and immutable', async () => {
    const page = await (await fetch(`${base}/`)).text();
    const importMap = JSON.parse(/<script type="importmap">([^<]*)<\/script>/.exec(page)![1]!) as { imports: Record<string, string> };
    assert.deepEqual(Object.keys(importMap.imports).sort(), ['htm', 'preact', 'preact/hooks']);
    for (const url of Object.values(importMap.imports)) {
      assert.match(url, /^\.\/dashboard\/vendor\/(preact|htm)@\d+\.\d+\.\d+\/[\w.]+\.js$/);
      const response = await fetch(new URL(url, `${base}/`));
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    }
    // Walk the page's module graph: each relative import must be an asset.
    const pending = [new URL('dashboard/app.js', `${base}/`).href, new URL('dashboard/style.css', `${base}/`).href];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const url = pending.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const response = await fetch(url);
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get('cache-control'), 'no-cache', url);
      assert.equal(response.headers.get('content-type'), url.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      const text = await response.text();
      if (url.endsWith('.css')) continue;
      for (const [, specifier] of text.matchAll(/\bfrom '([^']+)'/g)) {
        if (specifier!.startsWith('.')) pending.push(new URL(specifier!, url).href);
        else assert.ok(specifier! in importMap.imports, `${url} imports ${specifier}, which the import map lacks`);
      }
    }
    assert.ok(seen.size >= 15, `only ${seen.size} modules reached`);
  });

  test('the dashboard needs no key; the API beside it still does', async () => {
    assert.equal((await fetch(`${base}/dashboard/style.css`)).status, 200);
    assert.equal((await fetch(`${base}/v1beta/workers`)).status, 403);
    assert.equal((await fetch(`${base}/v1beta/workers`, { headers: { 'x-goog-api-key': KEY } })).status, 200);
    const post = await fetch(`${base}/`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  test('an unknown asset is 404, with the policy', async () => {
    for (const path of ['/dashboard/nope.js', '/dashboard/', '/dashboard/index.html', '/dashboard/views', '/dashboard/vendor/preact@0.0.0/preact.module.js']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 404, path);
      assert.ok(response.headers.get('content-security-policy'), path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    }
  });
});

describe('dashboard routes: path traversal', () => {
  const root = mkdtempSync(join(tmpdir(), 'batchmode-dashboard-'));
  const dir = join(root, 'dashboard');
  let server: Server;
  let port: number;
  before(async () => {
    mkdirSync(join(dir, 'views'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<script type="importmap">{{IMPORT_MAP}}</script>');
    writeFileSync(join(dir, 'views', 'a.js'), 'export const a = 1;\n');
    writeFileSync(join(root, 'secret.js'), 'export const secret = "TOP-SECRET";\n');
    ({ server, port } = await serve(dir));
  });
  after(async () => {
    await close(server);
    rmSync(root, { recursive: true, force: true });
  });

  test('a file beside the folder cannot be reached, however the path is spelled', async () => {
    assert.equal((await send(port, request('GET', '/dashboard/views/a.js'))).status, 200);
    for (const target of [
      '/dashboard/../secret.js',
      '/dashboard/views/../../secret.js',
      '/dashboard/%2e%2e/secret.js',
      '/dashboard/..%2fsecret.js',
      '/dashboard/views%2f..%2f..%2fsecret.js',
      '/dashboard/%2e%2e%5csecret.js',
      '/dashboard/..\\secret.js',
      `/dashboard/${encodeURIComponent(join(root, 'secret.js'))}`,
      '/dashboard//etc/passwd',
    ]) {
      const answer = await send(port, request('GET', target));
      assert.equal(answer.status, 404, target);
      assert.doesNotMatch(answer.body, /TOP-SECRET|root:/, target);
    }
  });
});

/**
 * Serves the web dashboard (src/dashboard/): `GET /` answers its index.html, `GET /dashboard/…`
 * its static assets and the vendored Preact and htm ES modules. No API key is needed for these
 * (the page signs in with a key and sends it on its own API calls).
 *
 * Every file is read into memory once, at start-up, and looked up by name: a path that is not
 * one of them is 404 without touching the file system, so nothing outside the folder can be
 * reached. Each answer carries an `ETag` (a 304 to a matching `If-None-Match`), `cache-control`
 * (`no-cache` for the page and its own modules, a year for the vendor files, whose URLs carry
 * their package version) and a strict Content-Security-Policy. The page's one inline script is
 * its import map (it maps `preact`, `preact/hooks` and `htm` to the vendor files, since
 * preact/hooks imports the bare `preact`); the policy allows exactly that script by its hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import type { RouteContext } from './http.js';
import type { Route } from './router.js';

export interface DashboardRoutesDeps {
  /** The folder holding index.html and the assets; found next to this module by default. */
  dir?: string;
}

interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const REVALIDATE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const IMPORT_MAP_PLACEHOLDER = '{{IMPORT_MAP}}';

/** The policy of every dashboard answer; `scriptHash` admits the page's import map. */
export function contentSecurityPolicy(scriptHash: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' '${scriptHash}'`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function dashboardRoutes(deps: DashboardRoutesDeps = {}): Route[] {
  const dir = deps.dir ?? findDashboardDir();
  const assets = new Map<string, Asset>();
  for (const name of listFiles(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined || name === 'index.html') continue;
    assets.set(name, asset(readFileSync(join(dir, name)), contentType, REVALIDATE));
  }
  const imports: Record<string, string> = {};
  for (const vendor of vendorModules()) {
    const path = `vendor/${vendor.packageName}@${vendor.version}/${vendor.fileName}`;
    assets.set(path, asset(readFileSync(vendor.file), CONTENT_TYPES['.js']!, IMMUTABLE));
    imports[vendor.specifier] = `./dashboard/${path}`;
  }
  const importMap = JSON.stringify({ imports });
  const scriptHash = `sha256-${createHash('sha256').update(importMap).digest('base64')}`;
  const template = readFileSync(join(dir, 'index.html'), 'utf8');
  if (!template.includes(IMPORT_MAP_PLACEHOLDER)) throw new Error(`${join(dir, 'index.html')} lacks ${IMPORT_MAP_PLACEHOLDER}`);
  const page = asset(Buffer.from(template.replace(IMPORT_MAP_PLACEHOLDER, importMap)), CONTENT_TYPES['.html']!, REVALIDATE);
  const policy = contentSecurityPolicy(scriptHash);

  return [
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/$/,
      isPublic: true,
      handler: async (context) => send(context, page, policy),
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/dashboard\/(?<asset>.*)$/,
      isPublic: true,
      handler: async (context) => send(context, assets.get(context.params.asset ?? ''), policy),
    },
  ];
}

function asset(body: Buffer, contentType: string, cacheControl: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType, etag, cacheControl };
}

function send({ request, response }: RouteContext, found: Asset | undefined, policy: string): void {
  securityHeaders(response, policy);
  if (found === undefined) {
    const text = 'Not found.\n';
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': text.length, 'cache-control': REVALIDATE });
    response.end(text);
    return;
  }
  response.setHeader('etag', found.etag);
  response.setHeader('cache-control', found.cacheControl);
  if (ifNoneMatch(request.headers['if-none-match'], found.etag)) {
    response.writeHead(304);
    response.end();
    return;
  }
  response.writeHead(200, { 'content-type': found.contentType, 'content-length': found.body.length });
  response.end(request.method === 'HEAD' ? undefined : found.body);
}

function securityHeaders(response: ServerResponse, policy: string): void {
  response.setHeader('content-security-policy', policy);
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

/** Every file under `dir`, as `/`-separated paths relative to it. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1).split('\\').join('/'));
}

/**
 * src/dashboard next to this module: `../dashboard` from src/api (tsx), `../../src/dashboard`
 * from dist/api (the build compiles TypeScript only; the package carries src/dashboard).
 */
function findDashboardDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../dashboard'), join(here, '../../src/dashboard')];
  const found = candidates.find((candidate) => existsSync(join(candidate, 'index.html')));
  if (found === undefined) throw new Error(`the dashboard's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}

interface VendorModule {
  /** The bare specifier the import map maps. */
  specifier: string;
  packageName: string;
  version: string;
  fileName: string;
  file: string;
}

/** The browser ES module builds of Preact, its hooks and htm, from the installed packages. */
function vendorModules(): VendorModule[] {
  const require = createRequire(import.meta.url);
  // The package's folder is found from its main entry: htm's exports do not export package.json.
  const packageDir = (name: string): { dir: string; version: string } => {
    for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version: string };
      if (parsed.name === name) return { dir, version: parsed.version };
    }
    throw new Error(`the ${name} package is not installed`);
  };
  const preact = packageDir('preact');
  const htm = packageDir('htm');
  return [
    { specifier: 'preact', packageName: 'preact', version: preact.version, fileName: 'preact.module.js', file: join(preact.dir, 'dist/preact.module.js') },
    { specifier: 'preact/hooks', packageName: 'preact', version: preact.version, fileName: 'hooks.module.js', file: join(preact.dir, 'hooks/dist/hooks.module.js') },
    { specifier: 'htm', packageName: 'htm', version: htm.version, fileName: 'htm.module.js', file: join(htm.dir, 'dist/htm.module.js') },
  ];
}

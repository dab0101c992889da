import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { templateOf, templateOfPattern } from './route-template.js';
import type { Route } from './router.js';

const apiDir = import.meta.dirname;

/** Every route module of src/api (`*-routes.ts`, `*-route.ts`), found on disk so that new ones are covered too. */
function routeModules(dir = apiDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return routeModules(join(dir, entry.name));
    return /-routes?\.ts$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [];
  });
}

const isRoute = (value: unknown): value is Route => typeof value === 'object' && value !== null && (value as Route).pattern instanceof RegExp;

/**
 * The routes of every route factory: each exported function called with empty dependencies
 * (a factory only closes over them; the handlers, which use them, never run here). A factory
 * that cannot be built that way (it reads its assets at once) is named in `unbuilt`.
 */
async function everyRoute(): Promise<{ routes: { route: Route; where: string }[]; unbuilt: string[] }> {
  const routes: { route: Route; where: string }[] = [];
  const unbuilt: string[] = [];
  for (const file of routeModules()) {
    const where = file.slice(apiDir.length + 1);
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      unbuilt.push(`${where}: ${String(error)}`);
      continue;
    }
    for (const [name, exported] of Object.entries(module)) {
      if (typeof exported !== 'function' || !/Routes?$/.test(name)) continue;
      let made: unknown;
      try {
        made = (exported as (deps: unknown) => unknown)({});
      } catch (error) {
        unbuilt.push(`${where} ${name}: ${String(error)}`);
        continue;
      }
      for (const route of [made].flat()) if (isRoute(route)) routes.push({ route, where: `${where} ${name}` });
    }
  }
  return { routes, unbuilt };
}

/** The named groups of a pattern, in order. */
const groupsOf = (pattern: RegExp): string[] => [...pattern.source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((match) => match[1]!);

test('every real route has a template: no id, no pattern syntax, one placeholder per path parameter, and it is a path the route serves', async (context) => {
  const { routes, unbuilt } = await everyRoute();
  for (const name of unbuilt) context.diagnostic(`not built with empty dependencies, not checked: ${name}`);
  assert.ok(routes.length >= 50, `found the route modules (${routes.length} routes)`);
  const SAMPLE_ID = 'zz9sampleid';
  for (const { route, where } of routes) {
    const template = templateOf(route);
    const context = `${where}: ${route.pattern.source} → ${template}`;
    assert.ok(template.startsWith('/'), context);
    const outsidePlaceholders = template.replace(/\{[A-Za-z_$][\w$]*\}/g, '');
    assert.doesNotMatch(outsidePlaceholders, /[\\^$()[\]?*+|{}]/, `no pattern syntax or wildcard: ${context}`);
    assert.deepEqual([...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]), groupsOf(route.pattern), `one placeholder per parameter: ${context}`);
    const samplePath = template.replace(/\{[^}]+\}/g, SAMPLE_ID);
    const match = route.pattern.exec(samplePath);
    assert.ok(match, `the template with ids filled in is a path of the route: ${context}`);
    assert.ok(Object.values(match.groups ?? {}).every((value) => value === SAMPLE_ID), `each placeholder stands for its parameter, whole: ${context}`);
  }
  const templates = new Set(routes.map(({ route }) => templateOf(route)));
  context.diagnostic(`${routes.length} routes, ${templates.size} templates: ${[...templates].sort().join(' ')}`);
});

test('templates of the routes an operator reads most', async () => {
  const templates = new Set((await everyRoute()).routes.map(({ route }) => templateOf(route)));
  for (const expected of [
    '/healthz', '/readyz', '/v1beta/batches', '/v1beta/batches/{batchId}', '/v1beta/batches/{batchId}:cancel', '/v1beta/batches/{batchId}:progress',
    '/v1beta/models/{model}:batchGenerateContent', '/v1beta/files/{fileId}', '/download/v1beta/files/{fileId}:download', '/upload/v1beta/files',
    '/v1beta/webhooks/{webhookId}:ping', '/v1beta/openai/batches/{batchId}', '/v1beta/openai/files/{fileId}/content', '/v1beta/openai/chat/completions',
    '/v1beta/openai/models/{model}',
  ]) {
    assert.ok(templates.has(expected), `${expected} in ${[...templates].join(' ')}`);
  }
});

test('derivation: groups, optional parts, alternations, escapes and wildcards', () => {
  const cases: [RegExp, string][] = [
    [/^\/v1beta\/batches\/(?<batchId>[^/:]+):cancel$/, '/v1beta/batches/{batchId}:cancel'],
    [/^\/(?:v1beta\/openai|v1)\/batches\/(?:batches\/)?(?<batchId>[^/]+)$/, '/v1beta/openai/batches/{batchId}'],
    [/^\/\.well-known\/jwks\.json$/, '/.well-known/jwks.json'],
    [/^\/x\/(?<a>(?:[^/]|\/(?!y))+)\/y$/, '/x/{a}/y'],
    [/^\/files\/([^/]+)$/, '/files/*'],
    [/^\/files\/.+\/[a-z]+\d*$/, '/files/*/**'],
    [/^\/items?$/, '/item*'],
    [/^\/a|^\/b$/, '/a'],
    [/^\/$/, '/'],
    [/^\/dashboard\/(?<asset>.*)$/, '/dashboard/{asset}'],
  ];
  for (const [pattern, expected] of cases) assert.equal(templateOfPattern(pattern), expected, pattern.source);
});

test("a route's own template wins over the derived one", () => {
  const route: Route = { methods: ['GET'], pattern: /^\/a\/(?<id>[^/]+)$/, handler: async () => undefined, template: '/a/{anything}' };
  assert.equal(templateOf(route), '/a/{anything}');
  assert.equal(templateOf({ ...route, template: undefined }), '/a/{id}');
});

// Planning an input file: on line-check threads, in chunks of any size, or on this thread, the
// answer (shards, token sums, tier, cache look-ups, the line-numbered 400) is the one the
// line-by-line check gives, kept here as the reference; a crashed thread fails the create with
// INTERNAL and is replaced.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { BatchKind } from '../core/batch.js';
import type { CachedContentRecord } from '../core/cached-content.js';
import { AppError } from '../core/errors.js';
import type { GenerateContentRequest } from '../core/gemini-types.js';
import { ServiceTierTally } from '../core/service-tier.js';
import { estimateCallTokens, estimatePromptTokens } from '../core/token-estimate.js';
import { formatLineError } from '../core/wire-schema/describe-line-error.js';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import { DuplicateKeyFinder } from '../lib/duplicate-key-finder.js';
import { isBlank, readLines } from '../lib/line-reader.js';
import type { Store } from '../store/store.js';
import { useTempStorage } from '../store/testing/temp-storage.js';
import { createCacheCollector } from './batch-caches.js';
import { createLineCheckPool, spawnLineCheckWorker, type LineCheckPool } from './line-check-pool.js';
import { InputPlanner, MAX_LINE_ERRORS, planInputFile, type LineCheckOptions } from './plan-input-file.js';

const storage = useTempStorage('batchmode-plan-');
const pool = createLineCheckPool({ size: 2 });
after(() => pool.close());

/** The pool, counting the chunks it is given. */
function counting(inner: LineCheckPool): LineCheckPool & { chunks: number } {
  const counted = { size: inner.size, chunks: 0, close: () => inner.close(), check: (kind: BatchKind, chunk: Uint8Array, length?: number) => {
    counted.chunks++;
    return inner.check(kind, chunk, length);
  } };
  return counted;
}

const cacheRecord = (id: string, model: string, tokens: number): CachedContentRecord => ({
  id, tenantId: 't', model, displayName: id, prefix: { contents: [] },
  totalTokenCount: tokens, createTimeMs: 0, updateTimeMs: 0, expireTimeMs: Number.MAX_SAFE_INTEGER,
});
const CACHES = new Map([['c1', cacheRecord('c1', 'm', 100)], ['c2', cacheRecord('c2', 'm', 7)], ['other', cacheRecord('other', 'x', 1)]]);

/** What one way of planning answered, with the cache look-ups it made, in order. */
interface Outcome { error?: string; lookups: string[]; plan?: { shards: unknown; count: number; tokens: number; input: number; priority: number } }

async function outcome(text: string, kind: BatchKind, plan: (key: string, planner: InputPlanner, tiers: ServiceTierTally, caches: ReturnType<typeof createCacheCollector>) => Promise<void>): Promise<Outcome> {
  const key = `files/t/${Math.random().toString(36).slice(2)}`;
  await storage.blobs.append(key, Readable.from([Buffer.from(text)]));
  const lookups: string[] = [];
  const store = { cachedContents: { get: async (_tenant: string, id: string) => (lookups.push(id), CACHES.get(id)) } } as unknown as Pick<Store, 'cachedContents'>;
  const planner = new InputPlanner('b', 3);
  const tiers = new ServiceTierTally();
  try {
    await plan(key, planner, tiers, createCacheCollector(store, 't', 'm', 0));
  } catch (error) {
    if (!(error instanceof AppError && error.status === 'INVALID_ARGUMENT')) throw error;
    return { error: error.message, lookups };
  }
  return { lookups, plan: { shards: planner.shards, count: planner.requestCount, tokens: planner.estimatedTokens, input: planner.inputTokens, priority: tiers.priority } };
}

/** The line-by-line check as it was before threads: the reference answer. */
const reference = (kind: BatchKind) => async (key: string, planner: InputPlanner, tiers: ServiceTierTally, caches: ReturnType<typeof createCacheCollector>): Promise<void> => {
  const errors: string[] = [];
  const keys = new DuplicateKeyFinder();
  let keyed = false;
  for await (const line of readLines(await storage.blobs.read(key))) {
    if (isBlank(line.bytes)) continue;
    try {
      const parsed = parseBatchLine(line.bytes.toString('utf8'), kind);
      if (parsed.key !== undefined) {
        keys.add(parsed.key, line.number);
        keyed = true;
      }
      const cached = kind === 'generate' ? await caches.use(parsed.request as GenerateContentRequest) : 0;
      const input = kind === 'generate' ? estimatePromptTokens(parsed.request as GenerateContentRequest) : estimateCallTokens(parsed.request);
      planner.add(line.start, line.end, estimateCallTokens(parsed.request) + cached);
      planner.inputTokens += input + cached;
      tiers.add(parsed.request.serviceTier);
    } catch (error) {
      errors.push(formatLineError(line.number, error));
      if (errors.length >= MAX_LINE_ERRORS) break;
    }
  }
  if (errors.length === 0 && keyed) {
    const candidates = keys.candidateLines();
    const first = new Map<string, number>();
    for await (const line of readLines(await storage.blobs.read(key))) {
      if (!candidates.has(line.number)) continue;
      const requestKey = parseBatchLine(line.bytes.toString('utf8'), kind).key ?? '';
      const at = first.get(requestKey);
      if (at === undefined) first.set(requestKey, line.number);
      else errors.push(formatLineError(line.number, new Error(`duplicate key '${requestKey}' (first used on line ${at})`)));
      if (errors.length >= MAX_LINE_ERRORS) break;
    }
  }
  if (errors.length > 0) throw new AppError('INVALID_ARGUMENT', `${errors.join('\n')}${errors.length >= MAX_LINE_ERRORS ? `\n(only the first ${MAX_LINE_ERRORS} problems are listed)` : ''}`);
};

const planned = (kind: BatchKind, sizeBytes: number, options: LineCheckOptions) =>
  (key: string, planner: InputPlanner, tiers: ServiceTierTally, caches: ReturnType<typeof createCacheCollector>) =>
    planInputFile({ blobs: storage.blobs, key, sizeBytes, kind, planner, tiers, caches, options });

const request = (text: string, extra: Record<string, unknown> = {}) => ({ contents: [{ parts: [{ text }] }], ...extra });
const wrapped = (key: string | undefined, text: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ...(key === undefined ? {} : { key }), request: request(text, extra) });

const INPUTS: Record<string, { kind: BatchKind; text: string }> = {
  'good lines: blank, CRLF, BOM, bare, tiers, caches, multi-byte text, no final newline': { kind: 'generate', text: [
    '', wrapped('a', 'héllo wörld ✓ '.repeat(9), { serviceTier: 'flex' }), '   ', `${wrapped('b', 'x'.repeat(41), { cachedContent: 'cachedContents/c1' })}\r`,
    `\ufeff${wrapped('c', 'bom')}`, JSON.stringify(request('bare', { generationConfig: { maxOutputTokens: 5 } })), wrapped('d', 'c2', { cachedContent: 'cachedContents/c2' }),
    wrapped('e', 'again', { cachedContent: 'cachedContents/c1', serviceTier: 'SERVICE_TIER_FLEX' }), '\t', wrapped(undefined, 'no key'), `${wrapped('f', 'last')}\r`,
  ].join('\n') },
  'one shared tier': { kind: 'generate', text: `${[1, 2, 3, 4].map((i) => wrapped(`k${i}`, `t${i}`, { serviceTier: 'priority' })).join('\n')}\n` },
  'bad lines of every kind': { kind: 'generate', text: [
    wrapped('a', 'ok'), '{not json', '[1]', '"text"', JSON.stringify({ key: 'z', request: request('x'), extra: 1 }), wrapped('b', 'x', { cachedContent: 'cachedContents/missing' }),
    wrapped('c', 'x', { cachedContent: 'cachedContents/c1', systemInstruction: { parts: [{ text: 's' }] } }), wrapped('d', 'x', { cachedContent: 'cachedContents/other' }),
    JSON.stringify({ key: 7, request: request('x') }), 'nope\r', '{"key":"e"}', wrapped('a', 'dup is not reported while other lines are bad'), '\r',
  ].join('\n') },
  'duplicate keys only': { kind: 'generate', text: [wrapped('a', '1'), wrapped('b', '2'), '', wrapped('a', '3'), wrapped('c', '4'), wrapped('b', '5'), wrapped('a', '6')].join('\n') },
  'more bad lines than are listed': { kind: 'generate', text: Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? wrapped(`k${i}`, 'ok') : `{bad ${i}`)).join('\n') },
  'cache errors count toward the cut-off': { kind: 'generate', text: Array.from({ length: 25 }, (_, i) => wrapped(`k${i}`, 'x', { cachedContent: `cachedContents/gone${i % 4}` })).join('\n') },
  'embed requests': { kind: 'embed', text: [JSON.stringify({ key: 'e1', request: { content: { parts: [{ text: 'embed me' }] } } }), '', JSON.stringify({ content: { parts: [{ text: 'bare' }] } }), '{"key":"e2","request":{"content":{}}}'].join('\r\n') },
  'only blank lines': { kind: 'generate', text: '\n \r\n\t\n' },
};

for (const [name, { kind, text }] of Object.entries(INPUTS)) {
  test(`the same answer on threads, in any chunk size, and on this thread: ${name}`, async () => {
    const expected = await outcome(text, kind, reference(kind));
    const counted = counting(pool);
    for (const chunkBytes of [1, 64, 1000, 4 * 1024 * 1024]) {
      const before = counted.chunks;
      assert.deepEqual(await outcome(text, kind, planned(kind, text.length, { pool: counted, threadMinBytes: 0, chunkBytes })), expected, `threads, chunks of ${chunkBytes} bytes`);
      assert.ok(counted.chunks > before, 'the lines were checked on threads');
    }
    assert.deepEqual(await outcome(text, kind, planned(kind, text.length, { pool: counted, chunkBytes: 64 })), expected, 'this thread, below the threshold');
    assert.deepEqual(await outcome(text, kind, planned(kind, text.length, { pool: counted, threadMinBytes: text.length + 1 })), expected, 'this thread, one chunk');
  });
}

test('a file below the threshold is checked on this thread, one at it on threads', async () => {
  const text = [wrapped('a', 'x'), wrapped('b', 'y')].join('\n');
  const counted = counting(pool);
  await outcome(text, 'generate', planned('generate', 999, { pool: counted, threadMinBytes: 1000 }));
  assert.equal(counted.chunks, 0);
  await outcome(text, 'generate', planned('generate', 1000, { pool: counted, threadMinBytes: 1000 }));
  assert.equal(counted.chunks, 1);
});

test('a thread that crashes fails that create with INTERNAL, and the pool replaces it', async () => {
  let spawned = 0;
  const crashing = createLineCheckPool({ size: 1, spawn: () => (++spawned === 1
    ? new Worker("require('node:worker_threads').parentPort.on('message', () => process.exit(3));", { eval: true })
    : spawnLineCheckWorker()) });
  try {
    const text = [wrapped('a', 'x'), wrapped('b', 'y')].join('\n');
    const options = { pool: crashing, threadMinBytes: 0, chunkBytes: 8 };
    const failed = await outcome(text, 'generate', planned('generate', text.length, options)).then(() => undefined, (error: unknown) => error);
    assert.ok(failed instanceof AppError, `expected an AppError, got ${String(failed)}`);
    assert.equal(failed.status, 'INTERNAL');
    assert.deepEqual(await outcome(text, 'generate', planned('generate', text.length, options)), await outcome(text, 'generate', reference('generate')));
    assert.equal(spawned, 2);
  } finally {
    await crashing.close();
  }
});

test('idle line-check threads do not keep the process alive', { timeout: 60_000 }, () => {
  const script = [
    `import { createLineCheckPool } from ${JSON.stringify(new URL('./line-check-pool.ts', import.meta.url).href)};`,
    'const { facts } = await createLineCheckPool({ size: 2 }).check("generate", new TextEncoder().encode(\'{"key":"a","request":{"contents":[{"parts":[{"text":"x"}]}]}}\\n\'));',
    'console.log(facts.count);',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(child.signal, null, 'the process ended by itself');
  assert.deepEqual([child.status, child.stdout.trim()], [0, '1'], child.stderr);
});

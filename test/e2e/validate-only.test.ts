/**
 * The `?validateOnly=true` dry run of the batch creates over real HTTP (an in-process server with
 * a models config carrying pricing, and quotas; no workers): a good file answers its request
 * count, estimated input tokens and input cost and leaves nothing behind (no batch, no copy of
 * the file, no idempotency key taken); a bad file answers the create's very 400; embeddings,
 * unpriced models and the enqueued-token quota answer as the create would.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tenantIdOf } from '../../src/auth/key-ring.js';
import { startInProcessServer } from '../support/in-process-server.js';

const KEY = 'validate-only-key';
const TIGHT = 'validate-only-tight-key';
/** Priced: $2 per million input tokens, half off in batch. */
const PRICED = 'gemini-priced';
const EMBED = 'priced-embed';

interface Answer { status: number; body: Record<string, unknown> }

describe('validateOnly', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-validate-'));

  before(async () => {
    const config = join(work, 'batchmode.json');
    writeFileSync(config, JSON.stringify({
      models: [
        { name: PRICED, backend: { type: 'simulated' }, pricing: { inputPerMillion: 2, outputPerMillion: 8, batchDiscount: 0.5 } },
        { name: EMBED, embedding: true, backend: { type: 'simulated' }, pricing: { inputPerMillion: 1, outputPerMillion: 0 } },
        { name: 'gemini-*', backend: { type: 'simulated' } },
      ],
      quotas: { tenants: { [tenantIdOf(TIGHT)]: { enqueuedTokensPerModel: 500 } } },
    }));
    server = await startInProcessServer({ apiKeys: `${KEY},${TIGHT}`, workers: 'false', configFile: config });
  });
  after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, key = KEY): Promise<Answer> => {
    const response = await fetch(`${server.url}${path}`, {
      method, headers: { 'x-goog-api-key': key, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** Uploads `text` as a JSONL file (a raw upload); resolves its name. */
  const upload = async (text: string, key = KEY): Promise<string> => {
    const response = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST', headers: { 'x-goog-api-key': key, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/jsonl' }, body: text,
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { file: { name: string } }).file.name;
  };
  const fileBatch = (fileName: string): unknown => ({ batch: { displayName: 'dry', inputConfig: { fileName } } });
  /** Every blob under the data directory. */
  const blobs = (): string[] => {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else found.push(relative(server.dataDir, join(dir, entry.name)));
      }
    };
    if (existsSync(server.dataDir)) walk(server.dataDir);
    return found.filter((path) => !/\.(db|sqlite)(-wal|-shm|-journal)?$/.test(path)).sort();
  };
  const batchCount = async (key = KEY): Promise<number> =>
    ((await call('GET', '/v1beta/batches', undefined, {}, key)).body.operations as unknown[] | undefined ?? []).length;
  const line = (key: string, text: string): string => JSON.stringify({ key, request: { contents: [{ parts: [{ text }] }] } });

  test('a good file: counts, input tokens and cost; no batch, no copy, the Idempotency-Key still free', async () => {
    // 400 characters a prompt: 100 estimated input tokens each.
    const fileName = await upload([line('a', 'x'.repeat(400)), '', line('b', 'y'.repeat(400)), line('c', 'z'.repeat(400))].join('\n'));
    const before = blobs();
    const dry = await call('POST', `/v1beta/models/${PRICED}:batchGenerateContent?validateOnly=true`, fileBatch(fileName), { 'idempotency-key': 'run-1' });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    assert.deepEqual(dry.body, { validateOnly: true, model: `models/${PRICED}`, requestCount: '3', estimatedInputTokens: '300', estimatedInputCostUsd: 0.0003 });
    assert.equal(await batchCount(), 0);
    assert.deepEqual(blobs(), before, 'nothing written: the file is read in place');
    // validateOnly=false is a real create, and the key the dry run carried was not taken.
    const created = await call('POST', `/v1beta/models/${PRICED}:batchGenerateContent?validateOnly=false`, fileBatch(fileName), { 'idempotency-key': 'run-1' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.match(String(created.body.name), /^batches\//);
    assert.equal(await batchCount(), 1);
  });

  test('a bad file answers the 400 of the create, line by line, and nothing is created', async () => {
    const fileName = await upload([line('a', 'ok'), '{not json', line('a', 'again'), '{"key":"c"}'].join('\n'));
    const countBefore = await batchCount();
    const before = blobs();
    const dry = await call('POST', `/v1beta/models/${PRICED}:batchGenerateContent?validateOnly=true`, fileBatch(fileName));
    const real = await call('POST', `/v1beta/models/${PRICED}:batchGenerateContent`, fileBatch(fileName));
    assert.equal(dry.status, 400);
    assert.deepEqual(dry.body, real.body, 'the same answer as the create');
    const message = (dry.body.error as { message: string }).message;
    assert.deepEqual([...message.matchAll(/^Error on line (\d+):/gm)].map((match) => Number(match[1])), [2, 4]);
    assert.equal(await batchCount(), countBefore);
    assert.deepEqual(blobs(), before);
    // An unknown file, a model that does not serve the method, a bad flag: refused as well.
    assert.equal((await call('POST', `/v1beta/models/${PRICED}:batchGenerateContent?validateOnly=true`, fileBatch('files/nope'))).status, 403);
    assert.equal((await call('POST', `/v1beta/models/${PRICED}:asyncBatchEmbedContent?validateOnly=true`, fileBatch(fileName))).status, 400);
    assert.equal((await call('POST', `/v1beta/models/${PRICED}:batchGenerateContent?validateOnly=maybe`, fileBatch(fileName))).status, 400);
  });

  test('inline embeddings are priced; an unpriced model has no cost; the enqueued-token quota applies', async () => {
    const texts = ['one two three four', 'five six seven eight'].map((text) => ({ request: { content: { parts: [{ text }] } } }));
    const embed = await call('POST', `/v1beta/models/${EMBED}:asyncBatchEmbedContent?validateOnly=true`, { batch: { inputConfig: { requests: { requests: texts } } } });
    assert.equal(embed.status, 200, JSON.stringify(embed.body));
    assert.deepEqual(embed.body, { validateOnly: true, model: `models/${EMBED}`, requestCount: '2', estimatedInputTokens: '10', estimatedInputCostUsd: 0.000005 });
    const unpriced = await call('POST', '/v1beta/models/gemini-2.5-flash:batchGenerateContent?validateOnly=true',
      { batch: { inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [{ text: 'abcd' }] }] } }] } } } });
    assert.deepEqual(unpriced.body, { validateOnly: true, model: 'models/gemini-2.5-flash', requestCount: '1', estimatedInputTokens: '1' });
    // 2 requests of ~100 prompt tokens plus 256 of output allowance each: over the tenant's 500 enqueued tokens.
    const big = await upload([line('a', 'x'.repeat(400)), line('b', 'y'.repeat(400))].join('\n'), TIGHT);
    const refused = await call('POST', `/v1beta/models/${PRICED}:batchGenerateContent?validateOnly=true`, fileBatch(big), {}, TIGHT);
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
    assert.match((refused.body.error as { message: string }).message, /enqueued tokens limit of 500/);
    assert.equal(await batchCount(TIGHT), 0);
  });
});

/**
 * The cookbook's flow (seed 001) through the official @google/genai SDK against a running
 * `batchmode serve` on the built-in simulated model: file and inline batches polled to
 * JOB_STATE_SUCCEEDED with results matched by key, list paged to the end, cancel, delete,
 * embeddings batches (inline and file), models.generateContent and models.embedContent, bad
 * input refused by line number, and tenant isolation.
 */
import { ApiError, GoogleGenAI, type BatchJob } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil } from '../support/poll.js';
import { DEPLOYMENTS, type RunningDeployment } from '../support/deployments.js';

const KEY_A = 'batch-tenant-a';
const KEY_B = 'batch-tenant-b';
const MODEL_ID = 'gemini-3-flash-preview';
const FINISHED = ['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED', 'JOB_STATE_EXPIRED'];

interface RestBatch {
  metadata: { state: string; batchStats: Record<string, string>; output?: { responsesFile?: string } };
  done?: boolean;
}

async function rejectsWith(promise: Promise<unknown>, status: number, rpcStatus: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, status);
    assert.equal((JSON.parse(error.message) as { error: { status: string } }).error.status, rpcStatus);
    return true;
  });
}

for (const deployment of DEPLOYMENTS) describe(`Batch Mode through @google/genai (cookbook flow) — ${deployment.name}`, () => {
  let server: RunningDeployment;
  let ai: GoogleGenAI;
  let aiB: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-batches-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const waitDone = (name: string, client = ai): Promise<BatchJob> =>
    pollUntil(() => client.batches.get({ name }), (job) => FINISHED.includes(job.state ?? ''));
  const rest = async (path: string, key = KEY_A): Promise<RestBatch> =>
    (await (await fetch(`${server.url}/v1beta/${path}`, { headers: { 'x-goog-api-key': key } })).json()) as RestBatch;
  const uploadJsonl = async (name: string, lines: unknown[], client = ai): Promise<string> => {
    const path = join(work, name);
    writeFileSync(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const file = await client.files.upload({ file: path, config: { mimeType: 'jsonl', displayName: name } });
    return file.name ?? '';
  };

  before(async () => {
    server = await deployment.start({
      env: {
        BATCHMODE_API_KEYS: `${KEY_A},${KEY_B}`, BATCHMODE_SIM_LATENCY_MS: '20', BATCHMODE_WORKER_CONCURRENCY: '8', BATCHMODE_SHARD_SIZE: '25',
        BATCHMODE_MAX_ATTEMPTS: '2',
        BATCHMODE_SIM_FAULTS: JSON.stringify([
          { match: 'poison', error: 'INVALID_ARGUMENT' },
          { match: 'flaky', error: 'UNAVAILABLE', attempts: 1 },
          { match: 'overloaded', error: 'RESOURCE_EXHAUSTED', httpStatus: 429 },
        ]),
      },
    });
    ai = new GoogleGenAI({ apiKey: KEY_A, httpOptions: { baseUrl: server.url } });
    aiB = new GoogleGenAI({ apiKey: KEY_B, httpOptions: { baseUrl: server.url } });
  });
  after(() => server.stop());

  test('a file batch runs to JOB_STATE_SUCCEEDED and its results match the keys', async () => {
    const fileName = await uploadJsonl('batch_requests.json', [
      { key: 'request_1', request: { contents: [{ parts: [{ text: 'Explain how AI works in a few words' }] }] } },
      { key: 'request_2', request: { contents: [{ parts: [{ text: 'Explain how quantum computing works in a few words' }] }] } },
    ]);
    const created = await ai.batches.create({ model: MODEL_ID, src: fileName, config: { displayName: 'my-batch-job-from-file' } });
    assert.match(created.name ?? '', /^batches\/[a-z0-9]{36}$/);
    assert.ok(['JOB_STATE_PENDING', 'JOB_STATE_RUNNING', 'JOB_STATE_SUCCEEDED'].includes(created.state ?? ''));
    assert.equal(created.displayName, 'my-batch-job-from-file');
    assert.equal(created.model, `models/${MODEL_ID}`);

    const job = await waitDone(created.name ?? '');
    assert.equal(job.state, 'JOB_STATE_SUCCEEDED');
    const resultFile = job.dest?.fileName ?? '';
    assert.equal(resultFile, `files/batch-${(created.name ?? '').slice('batches/'.length)}`);
    const downloadPath = join(work, 'results.jsonl');
    await ai.files.download({ file: resultFile, downloadPath });
    const lines = readFileSync(downloadPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; response: { candidates: { content: { parts: { text: string }[] } }[] } });
    assert.deepEqual(lines.map((line) => line.key), ['request_1', 'request_2']);
    for (const line of lines) assert.ok(line.response.candidates[0]!.content.parts[0]!.text.length > 0);

    const stats = (await rest(created.name ?? '')).metadata.batchStats;
    assert.deepEqual(stats, { requestCount: '2', successfulRequestCount: '2' });
  });

  test('an inline batch returns its responses in request order', async () => {
    const created = await ai.batches.create({
      model: MODEL_ID,
      src: [
        { contents: [{ parts: [{ text: 'Write a short poem about a cloud.' }], role: 'user' }] },
        { contents: [{ parts: [{ text: 'Write a short poem about a cat.' }], role: 'user' }], metadata: { key: 'cat' } },
      ],
      config: { displayName: 'my-batch-job-inline-example' },
    });
    const job = await waitDone(created.name ?? '');
    assert.equal(job.state, 'JOB_STATE_SUCCEEDED');
    const responses = job.dest?.inlinedResponses ?? [];
    assert.equal(responses.length, 2);
    assert.match(responses[0]?.response?.candidates?.[0]?.content?.parts?.[0]?.text ?? '', /cloud/i);
    assert.match(responses[1]?.response?.candidates?.[0]?.content?.parts?.[0]?.text ?? '', /cat/i);
    assert.deepEqual(responses[1]?.metadata, { key: 'cat' });
  });

  test('list pages through every batch to the end', async () => {
    const names = new Set<string>();
    for (let index = 0; index < 5; index++) {
      const job = await aiB.batches.create({ model: MODEL_ID, src: [{ contents: [{ parts: [{ text: `list ${index}` }] }] }] });
      names.add(job.name ?? '');
    }
    const listed: string[] = [];
    for await (const job of await aiB.batches.list({ config: { pageSize: 2 } })) {
      listed.push(job.name ?? '');
      assert.ok(job.state, 'items carry their state');
    }
    assert.equal(new Set(listed).size, listed.length);
    for (const name of names) assert.ok(listed.includes(name), name);
  });

  test('cancel stops a running batch and keeps its finished results', async () => {
    const lines = Array.from({ length: 400 }, (_, index) => ({ key: `k${index}`, request: { contents: [{ parts: [{ text: `slow ${index}` }] }] } }));
    const fileName = await uploadJsonl('slow.jsonl', lines);
    const created = await ai.batches.create({ model: MODEL_ID, src: fileName });
    await pollUntil(() => rest(created.name ?? ''), (batch) => Number(batch.metadata.batchStats.successfulRequestCount ?? 0) >= 20);
    await ai.batches.cancel({ name: created.name ?? '' });
    const job = await waitDone(created.name ?? '');
    assert.equal(job.state, 'JOB_STATE_CANCELLED');
    const finished = await pollUntil(() => rest(created.name ?? ''), (batch) => batch.metadata.output?.responsesFile !== undefined);
    const succeeded = Number(finished.metadata.batchStats.successfulRequestCount);
    assert.ok(succeeded >= 20 && succeeded < 400, `kept ${succeeded} results`);
    const downloadPath = join(work, 'cancelled.jsonl');
    await ai.files.download({ file: finished.metadata.output?.responsesFile ?? '', downloadPath });
    const results = readFileSync(downloadPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; response?: unknown; error?: { code: number } });
    assert.deepEqual(results.map((result) => result.key), lines.map((line) => line.key), 'every key once, in order');
    assert.equal(results.filter((result) => result.response).length, succeeded);
    assert.ok(results.filter((result) => result.error).every((result) => result.error?.code === 1), 'the rest are CANCELLED');
  });

  test('a failed request is an error line; the batch still succeeds and counts it', async () => {
    const fileName = await uploadJsonl('faults.jsonl', [
      { key: 'good', request: { contents: [{ parts: [{ text: 'fine' }] }] } },
      { key: 'bad', request: { contents: [{ parts: [{ text: 'poison pill' }] }] } },
      { key: 'retried', request: { contents: [{ parts: [{ text: 'flaky once' }] }] } },
      { key: 'exhausted', request: { contents: [{ parts: [{ text: 'overloaded always' }] }] } },
    ]);
    const created = await ai.batches.create({ model: MODEL_ID, src: fileName });
    const job = await waitDone(created.name ?? '');
    assert.equal(job.state, 'JOB_STATE_SUCCEEDED');
    assert.deepEqual((await rest(created.name ?? '')).metadata.batchStats, { requestCount: '4', successfulRequestCount: '2', failedRequestCount: '2' });
    const downloadPath = join(work, 'faults-out.jsonl');
    await ai.files.download({ file: job.dest?.fileName ?? '', downloadPath });
    const lines = readFileSync(downloadPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; response?: unknown; error?: { code: number; status: string } });
    assert.deepEqual(lines.map((line) => [line.key, line.response ? 'ok' : line.error?.code]), [['good', 'ok'], ['bad', 3], ['retried', 'ok'], ['exhausted', 8]]);
  });

  test('delete removes a batch', async () => {
    const created = await ai.batches.create({ model: MODEL_ID, src: [{ contents: [{ parts: [{ text: 'bye' }] }] }] });
    await ai.batches.delete({ name: created.name ?? '' });
    await rejectsWith(ai.batches.get({ name: created.name ?? '' }), 404, 'NOT_FOUND');
  });

  test('embedding batches: inline and from a file', async () => {
    const inline = await ai.batches.createEmbeddings({
      model: 'gemini-embedding-001',
      src: { inlinedRequests: { contents: ['text one', 'text two'], config: { outputDimensionality: 8 } } },
    });
    const inlineJob = await waitDone(inline.name ?? '');
    assert.equal(inlineJob.state, 'JOB_STATE_SUCCEEDED');
    const embeddings = inlineJob.dest?.inlinedEmbedContentResponses ?? [];
    assert.equal(embeddings.length, 2);
    assert.equal(embeddings[0]?.response?.embedding?.values?.length, 8);
    assert.notDeepEqual(embeddings[0]?.response?.embedding?.values, embeddings[1]?.response?.embedding?.values);

    const fileName = await uploadJsonl('embed.jsonl', [
      { key: 'e1', request: { content: { parts: [{ text: 'hello' }] }, output_dimensionality: 16 } },
      { key: 'e2', request: { content: { parts: [{ text: 'world' }] }, outputDimensionality: 16 } },
    ]);
    const fromFile = await ai.batches.createEmbeddings({ model: 'gemini-embedding-001', src: { fileName } });
    const fileJob = await waitDone(fromFile.name ?? '');
    assert.equal(fileJob.state, 'JOB_STATE_SUCCEEDED');
    const downloadPath = join(work, 'embeddings.jsonl');
    await ai.files.download({ file: fileJob.dest?.fileName ?? '', downloadPath });
    const lines = readFileSync(downloadPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; response: { embedding: { values: number[] } } });
    assert.deepEqual(lines.map((line) => [line.key, line.response.embedding.values.length]), [['e1', 16], ['e2', 16]]);
  });

  test('models.generateContent, models.embedContent, models.list', async () => {
    const response = await ai.models.generateContent({ model: MODEL_ID, contents: 'Why is the sky blue?' });
    assert.ok((response.text ?? '').length > 0);
    assert.ok((response.usageMetadata?.totalTokenCount ?? 0) > 0);
    const again = await ai.models.generateContent({ model: MODEL_ID, contents: 'Why is the sky blue?' });
    assert.equal(again.text, response.text, 'deterministic');
    let streamed = '';
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL_ID, contents: 'Why is the sky blue?' })) streamed += chunk.text ?? '';
    assert.equal(streamed, response.text, 'the stream carries the same text');
    const counted = await ai.models.countTokens({ model: MODEL_ID, contents: 'Why is the sky blue?' });
    assert.equal(counted.totalTokens, response.usageMetadata?.promptTokenCount);
    const embedded = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['a', 'b'], config: { outputDimensionality: 3 } });
    assert.deepEqual(embedded.embeddings?.map((embedding) => embedding.values?.length), [3, 3]);
    const names: string[] = [];
    for await (const model of await ai.models.list()) names.push(model.name ?? '');
    for (const id of ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-3-flash-preview', 'gemini-embedding-001']) {
      assert.ok(names.includes(`models/${id}`), id);
    }
  });

  test('a file with bad lines is refused with their line numbers, and nothing is queued', async () => {
    const path = join(work, 'bad.jsonl');
    writeFileSync(path, [
      '{"key": "a", "request": {"contents": [{"parts": [{"text": "ok"}]}]}}',
      '{"key": "b", "request": {"contents": [{"parts": [{"text": "x"}]}], "thinking_config": {}}}',
      'not json',
      '{"key": "a", "request": {"contents": [{"parts": [{"text": "dup"}]}]}}',
    ].join('\n'));
    const file = await ai.files.upload({ file: path, config: { mimeType: 'jsonl' } });
    const before = await rest('batches?pageSize=1000');
    await assert.rejects(ai.batches.create({ model: MODEL_ID, src: file.name ?? '' }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 400);
      const message = (JSON.parse(error.message) as { error: { message: string } }).error.message;
      assert.match(message, /Error on line 2: .*thinking_config/);
      assert.match(message, /Error on line 3: /);
      return true;
    });
    const after = await rest('batches?pageSize=1000');
    assert.deepEqual(after, before, 'no batch was created');
    const dupPath = join(work, 'dup.jsonl');
    writeFileSync(dupPath, '{"key": "a", "request": {"contents": [{"parts": [{"text": "1"}]}]}}\n{"key": "a", "request": {"contents": [{"parts": [{"text": "2"}]}]}}\n');
    const dup = await ai.files.upload({ file: dupPath, config: { mimeType: 'jsonl' } });
    await assert.rejects(ai.batches.create({ model: MODEL_ID, src: dup.name ?? '' }), /Error on line 2: duplicate key 'a'/);
  });

  test("a tenant cannot read, cancel, delete or use another tenant's batches and files", async () => {
    const created = await ai.batches.create({ model: MODEL_ID, src: [{ contents: [{ parts: [{ text: 'mine' }] }] }] });
    const name = created.name ?? '';
    await rejectsWith(aiB.batches.get({ name }), 404, 'NOT_FOUND');
    await rejectsWith(aiB.batches.cancel({ name }), 404, 'NOT_FOUND');
    await rejectsWith(aiB.batches.delete({ name }), 404, 'NOT_FOUND');
    for await (const job of await aiB.batches.list({ config: { pageSize: 100 } })) assert.notEqual(job.name, name);
    const fileName = await uploadJsonl('private.jsonl', [{ key: 'p', request: { contents: [{ parts: [{ text: 'private' }] }] } }]);
    await rejectsWith(aiB.batches.create({ model: MODEL_ID, src: fileName }), 403, 'PERMISSION_DENIED');
    assert.equal((await waitDone(name)).state, 'JOB_STATE_SUCCEEDED', 'the owner still has it');
  });

  test('an unknown model is a 404 at batch creation', async () => {
    await rejectsWith(ai.batches.create({ model: 'no-such-model', src: [{ contents: [{ parts: [{ text: 'x' }] }] }] }), 404, 'NOT_FOUND');
  });
});

/**
 * The official `openai` npm SDK against `batchmode serve` (embedded: SQLite + local disk) on both
 * OpenAI roots, `/v1beta/openai` (Google's) and `/v1`: upload, create, poll, output and error
 * files, an embeddings batch, a cancel that keeps finished results, list auto-pagination, a bad
 * file failing with its lines named, a wrong key, tenant isolation, Google's documented flow
 * (@google/genai uploads and downloads, openai batches), and that a batch made here is the
 * engine's like any other: the native API reads it and a static webhook hears it succeed.
 */
import { GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import {
  chatLine, embeddingLine, readJsonl, uploadJsonl, waitForBatch, CHAT_MODEL, EMBEDDING_MODEL, TERMINAL,
} from '../support/openai-jsonl.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const KEY = 'openai-sdk-tenant-a';
const OTHER = 'openai-sdk-tenant-b';
const ROOTS = ['/v1beta/openai', '/v1'];
const HOUR = 3600;

describe('the openai npm SDK on the OpenAI-compatible surface', () => {
  let server: ServerProcess;
  let receiver: WebhookReceiver;
  let ai: GoogleGenAI;
  const work = mkdtempSync(join(tmpdir(), 'batchmode-openai-sdk-'));

  before(async () => {
    receiver = await startWebhookReceiver();
    server = await startServerProcess({
      env: {
        BATCHMODE_API_KEYS: `${KEY},${OTHER}`, BATCHMODE_SIM_LATENCY_MS: '100', BATCHMODE_WORKER_CONCURRENCY: '1',
        BATCHMODE_SHARD_SIZE: '1', BATCHMODE_SIM_FAULTS: JSON.stringify([{ match: 'poison', error: 'INVALID_ARGUMENT' }]),
        BATCHMODE_WEBHOOK_TIMEOUT_SECONDS: '5',
      },
    });
    ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
    await ai.webhooks.create({ name: 'openai-surface', uri: `${receiver.url}/hooks`, subscribed_events: ['batch.succeeded'] });
  });
  after(async () => {
    await server.stop();
    await receiver.close();
    rmSync(work, { recursive: true, force: true });
  });

  for (const root of ROOTS) describe(`under ${root}`, () => {
    let client: OpenAI;
    let other: OpenAI;
    /** Every batch this root's tests created, for the listing test. */
    const created: string[] = [];
    let firstBatch: OpenAI.Batches.Batch;
    let firstUpload: OpenAI.Files.FileObject;

    before(() => {
      client = new OpenAI({ apiKey: KEY, baseURL: `${server.url}${root}`, maxRetries: 0 });
      other = new OpenAI({ apiKey: OTHER, baseURL: `${server.url}${root}`, maxRetries: 0 });
    });

    test('upload, create, poll and read the output file; the engine and webhooks see the batch', async () => {
      firstUpload = await uploadJsonl(client, 'requests.jsonl', [0, 1, 2, 3].map((index) => chatLine(`q${index}`, `Question ${index}?`)));
      assert.match(firstUpload.id, /^files\/[a-z0-9-]+$/);
      assert.equal(firstUpload.object, 'file');
      assert.equal(firstUpload.purpose, 'batch');
      assert.equal(firstUpload.filename, 'requests.jsonl');
      assert.equal(firstUpload.status, 'processed');
      assert.ok(firstUpload.bytes > 0);
      assert.deepEqual(await client.files.retrieve(firstUpload.id), firstUpload);

      const batch = await client.batches.create({
        input_file_id: firstUpload.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: root },
      });
      created.push(batch.id);
      assert.match(batch.id, /^batches\/[a-z0-9]+$/);
      assert.equal(batch.object, 'batch');
      assert.equal(batch.endpoint, '/v1/chat/completions');
      assert.equal(batch.input_file_id, firstUpload.id);
      assert.equal(batch.completion_window, '24h');
      assert.equal(batch.request_counts?.total, 4);
      assert.deepEqual(batch.metadata, { run: root });
      assert.equal(batch.expires_at, batch.created_at + 24 * HOUR);

      const done = await waitForBatch(client, batch.id);
      firstBatch = done;
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.request_counts, { total: 4, completed: 4, failed: 0 });
      assert.equal(done.output_file_id, `files/batch-${batch.id.slice('batches/'.length)}`);
      assert.equal(done.error_file_id, null);
      assert.equal(done.errors, null);
      assert.ok(typeof done.in_progress_at === 'number' && typeof done.completed_at === 'number');
      assert.ok(done.completed_at >= done.created_at);
      if (done.usage) assert.ok(done.usage.total_tokens > 0 && done.usage.input_tokens > 0);

      const output = await readJsonl(client, done.output_file_id);
      assert.deepEqual(output.map((line) => line.custom_id), ['q0', 'q1', 'q2', 'q3']);
      for (const line of output) {
        assert.equal(line.error, null);
        assert.equal(line.response?.status_code, 200);
        const body = line.response?.body as { object: string; model: string; choices: { message: { role: string; content: string } }[] };
        assert.equal(body.object, 'chat.completion');
        assert.equal(body.choices[0]?.message.role, 'assistant');
        assert.equal(typeof body.choices[0]?.message.content, 'string');
      }

      // The same batch, through the native API and the genai SDK.
      const native = await ai.batches.get({ name: batch.id });
      assert.equal(native.state, 'JOB_STATE_SUCCEEDED');
      const event = await receiver.waitFor((delivery) => delivery.json.type === 'batch.succeeded' && delivery.json.data?.id === batch.id);
      assert.equal(event.json.data?.output_file_uri, done.output_file_id);
    });

    test('requests that fail at the backend go to the error file', async () => {
      const file = await uploadJsonl(client, 'mixed.jsonl', [chatLine('a', 'fine'), chatLine('b', 'poison pill'), chatLine('c', 'fine too')]);
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      created.push(batch.id);
      const done = await waitForBatch(client, batch.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.request_counts, { total: 3, completed: 2, failed: 1 });
      assert.deepEqual((await readJsonl(client, done.output_file_id)).map((line) => line.custom_id), ['a', 'c']);
      const errors = await readJsonl(client, done.error_file_id);
      assert.equal(done.error_file_id, `files/batch-${batch.id.slice('batches/'.length)}-errors`);
      assert.deepEqual(errors.map((line) => line.custom_id), ['b']);
      assert.equal(errors[0]?.response?.status_code, 400);
      assert.equal(typeof (errors[0]?.response?.body as { error?: { message?: unknown } }).error?.message, 'string');
      assert.equal(errors[0]?.error, null);
    });

    test('an embeddings batch', async () => {
      const file = await uploadJsonl(client, 'embeddings.jsonl', [0, 1, 2].map((index) => embeddingLine(`e${index}`, `text ${index}`)));
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' });
      created.push(batch.id);
      const done = await waitForBatch(client, batch.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.endpoint, '/v1/embeddings');
      assert.equal(done.model, EMBEDDING_MODEL);
      const output = await readJsonl(client, done.output_file_id);
      assert.deepEqual(output.map((line) => line.custom_id), ['e0', 'e1', 'e2']);
      for (const line of output) {
        const body = line.response?.body as { object: string; data: { object: string; embedding: number[] }[] };
        assert.equal(body.object, 'list');
        assert.equal(body.data[0]?.object, 'embedding');
        assert.equal(body.data[0]?.embedding.length, 8);
      }
    });

    test('a cancel keeps the finished results; the requests never run are batch_cancelled', async () => {
      const ids = Array.from({ length: 12 }, (_, index) => `s${index}`);
      const file = await uploadJsonl(client, 'slow.jsonl', ids.map((id) => chatLine(id, `Slow request ${id}`)));
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      created.push(batch.id);
      await waitForBatch(client, batch.id, (current) => (current.request_counts?.completed ?? 0) >= 2 || TERMINAL.includes(current.status));
      const answered = await client.batches.cancel(batch.id);
      assert.ok(['cancelling', 'cancelled'].includes(answered.status), answered.status);
      const done = await waitForBatch(client, batch.id);
      assert.equal(done.status, 'cancelled');
      assert.equal(typeof done.cancelled_at, 'number');
      const kept = await readJsonl(client, done.output_file_id);
      const unrun = await readJsonl(client, done.error_file_id);
      assert.ok(kept.length >= 2, `finished results are kept (${kept.length})`);
      assert.ok(unrun.length >= 1, 'some requests never ran');
      for (const line of kept) assert.equal(line.response?.status_code, 200);
      for (const line of unrun) {
        assert.equal(line.response, null);
        assert.equal(line.error?.code, 'batch_cancelled');
      }
      assert.deepEqual([...kept, ...unrun].map((line) => line.custom_id).sort(), [...ids].sort(), 'every request exactly once');
      assert.deepEqual(done.request_counts, { total: 12, completed: kept.length, failed: unrun.length });
      // Cancelling again answers the batch as it is.
      assert.equal((await client.batches.cancel(batch.id)).status, 'cancelled');
    });

    test('a bad file fails with each bad line named; bad create calls are refused', async () => {
      const file = await uploadJsonl(client, 'bad.jsonl', [
        chatLine('a', 'fine'),
        '{not json',
        chatLine('a', 'duplicate custom_id'),
        chatLine('c', 'wrong url', '/v1/completions'),
        { custom_id: 'd', method: 'POST', url: '/v1/chat/completions', body: { model: CHAT_MODEL, messages: 'nope' } },
      ]);
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      created.push(batch.id);
      const done = await waitForBatch(client, batch.id);
      assert.equal(done.status, 'failed');
      assert.equal(typeof done.failed_at, 'number');
      assert.equal(done.output_file_id, null);
      assert.equal(done.error_file_id, null);
      const errors = done.errors?.data ?? [];
      assert.deepEqual(errors.map((error) => error.line), [2, 3, 4, 5]);
      for (const error of errors) assert.ok(error.code && error.message, JSON.stringify(error));

      await assert.rejects(
        client.batches.create({ input_file_id: file.id, endpoint: '/v1/completions', completion_window: '24h' }),
        (error: unknown) => error instanceof OpenAI.BadRequestError && (error.param === 'endpoint'),
      );
      await assert.rejects(
        client.batches.create({ input_file_id: 'files/nothing-here', endpoint: '/v1/chat/completions', completion_window: '24h' }),
        OpenAI.NotFoundError,
      );
    });

    test('list auto-pagination sees every batch once; file listing and deletion', async () => {
      const listed: string[] = [];
      for await (const batch of client.batches.list({ limit: 2 })) listed.push(batch.id);
      for (const id of created) assert.ok(listed.includes(id), `${id} is listed`);
      assert.equal(new Set(listed).size, listed.length, 'auto-pagination repeats nothing');
      const first = await client.batches.list({ limit: 2 });
      assert.equal(first.data.length, 2);
      assert.ok(first.has_more);

      const outputs: string[] = [];
      for await (const file of client.files.list({ purpose: 'batch_output', limit: 3 })) outputs.push(file.id);
      assert.ok(outputs.includes(firstBatch.output_file_id ?? ''), 'batch outputs have purpose batch_output');
      assert.ok(!outputs.includes(firstUpload.id));

      const doomed = await uploadJsonl(client, 'doomed.jsonl', [chatLine('x', 'never used')]);
      assert.deepEqual(await client.files.delete(doomed.id), { id: doomed.id, object: 'file', deleted: true });
      await assert.rejects(client.files.retrieve(doomed.id), OpenAI.NotFoundError);
    });

    test('a wrong key is an AuthenticationError; another key sees none of this tenant\'s batches or files', async () => {
      await assert.rejects(new OpenAI({ apiKey: 'not-a-key', baseURL: `${server.url}${root}`, maxRetries: 0 }).batches.list(), OpenAI.AuthenticationError);
      await assert.rejects(other.batches.retrieve(firstBatch.id), OpenAI.NotFoundError);
      await assert.rejects(other.batches.cancel(firstBatch.id), OpenAI.NotFoundError);
      await assert.rejects(other.files.retrieve(firstUpload.id), OpenAI.NotFoundError);
      await assert.rejects(other.files.content(firstUpload.id), OpenAI.NotFoundError);
      await assert.rejects(other.files.content(firstBatch.output_file_id ?? ''), OpenAI.NotFoundError);
      await assert.rejects(other.files.delete(firstUpload.id), OpenAI.NotFoundError);
      const theirBatches: string[] = [];
      for await (const batch of other.batches.list()) theirBatches.push(batch.id);
      for (const id of created) assert.ok(!theirBatches.includes(id));
      const theirFiles: string[] = [];
      for await (const file of other.files.list()) theirFiles.push(file.id);
      assert.ok(!theirFiles.includes(firstUpload.id));
    });

    test("Google's documented flow: @google/genai uploads, openai batches, @google/genai downloads", async () => {
      const path = join(work, `genai-${root.replaceAll('/', '_')}.jsonl`);
      writeFileSync(path, [chatLine('g1', 'From the genai SDK'), chatLine('g2', 'Also from it')].map((line) => JSON.stringify(line)).join('\n') + '\n');
      const uploaded = await ai.files.upload({ file: path, config: { displayName: 'my-batch-requests', mimeType: 'jsonl' } });
      const name = uploaded.name ?? '';
      assert.match(name, /^files\//);
      assert.equal((await client.files.retrieve(name)).filename, 'my-batch-requests');
      const batch = await client.batches.create({ input_file_id: name, endpoint: '/v1/chat/completions', completion_window: '24h' });
      created.push(batch.id);
      const done = await waitForBatch(client, batch.id);
      assert.equal(done.status, 'completed');
      assert.equal(done.input_file_id, name);
      const downloadPath = join(work, `out-${root.replaceAll('/', '_')}.jsonl`);
      await ai.files.download({ file: done.output_file_id ?? '', downloadPath });
      const lines = readFileSync(downloadPath, 'utf8').split('\n').filter((line) => line.trim() !== '');
      assert.deepEqual(lines.map((line) => (JSON.parse(line) as { custom_id: string }).custom_id), ['g1', 'g2']);
    });
  });
});

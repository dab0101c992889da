/**
 * OpenAI-compatible batches on the real engine (no HTTP): an OpenAI batch input file becomes an
 * ordinary batch that the workers run on the simulated backend, with its progress and webhook
 * event like any other, and ends with OpenAI's output and error files; cancel keeps the
 * finished results; a file with bad lines is a batch FAILED at create that nothing runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelBackend } from '../../src/backends/backend.js';
import { cancelledError } from '../../src/backends/cancelled-error.js';
import { createSimulatedBackend } from '../../src/backends/simulated/simulated-backend.js';
import { chatLine, openAIBatchInput, uploadText } from '../../src/batches/testing/batch-fixture.js';
import { errorFileId, resultsFileId } from '../../src/core/batch.js';
import { systemClock } from '../../src/lib/clock.js';
import { startEngine, TENANT, type EngineHarness } from '../support/engine-harness.js';

async function fileLines(engine: EngineHarness, fileId: string): Promise<Record<string, unknown>[] | undefined> {
  const file = await engine.store.files.get(TENANT, fileId);
  if (!file) return undefined;
  const text = await new Response(await engine.blobs.read(file.blobKey)).text();
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const upload = (engine: EngineHarness, lines: string[]): Promise<string> => uploadText(engine.store, engine.blobs, systemClock, `${lines.join('\n')}\n`);

test('a chat batch runs on the engine: output and error files, progress and a webhook event', async () => {
  const backend = createSimulatedBackend({ faults: [{ match: 'FAIL-ME', error: 'INVALID_ARGUMENT' }] });
  const engine = await startEngine({ backend, shardSize: 3 });
  try {
    const lines = Array.from({ length: 7 }, (_, index) => chatLine(`c${index}`, index === 4 ? 'FAIL-ME please' : `question ${index}`));
    const fileId = await upload(engine, lines);
    const created = await engine.batches.createOpenAI(openAIBatchInput(fileId, { metadata: { description: 'chat run' } }));
    assert.deepEqual([created.batch.state, created.batch.requestCount, created.batch.kind], ['BATCH_STATE_PENDING', 7, 'generate']);
    const done = await engine.waitFor(created.batch.id);
    assert.deepEqual([done.batch.state, done.succeededCount, done.failedCount], ['BATCH_STATE_SUCCEEDED', 6, 1]);
    assert.ok((done.usage?.totalTokenCount ?? 0) > 0, 'token usage is summed');

    const output = await fileLines(engine, resultsFileId(created.batch.id));
    assert.deepEqual(output?.map((line) => line.custom_id), ['c0', 'c1', 'c2', 'c3', 'c5', 'c6']);
    const body = (output?.[0]?.response as { body: { object: string; model: string; choices: { message: { role: string; content: string } }[] } }).body;
    assert.deepEqual([body.object, body.model, body.choices[0]?.message.role, typeof body.choices[0]?.message.content], ['chat.completion', 'gemini-2.5-flash', 'assistant', 'string']);
    const errors = await fileLines(engine, errorFileId(created.batch.id));
    assert.deepEqual(errors?.map((line) => [line.custom_id, (line.response as { status_code: number }).status_code]), [['c4', 400]]);
    assert.equal((await engine.store.files.get(TENANT, resultsFileId(created.batch.id)))?.displayName, 'chat run output');

    const progress = await engine.batches.progress(TENANT, created.batch.id);
    assert.deepEqual([progress.batch.state, progress.succeededCount, progress.failedCount, progress.pendingCount], ['BATCH_STATE_SUCCEEDED', 6, 1, 0]);
    const events = await engine.store.webhookEvents.listPending(10);
    const event = events.find((item) => item.id === `batch-${created.batch.id}`);
    // The dispatcher may have fanned it out already; if still queued it names the output file.
    if (event) assert.deepEqual([event.type, event.data.output_file_uri], ['batch.succeeded', `files/${resultsFileId(created.batch.id)}`]);
  } finally {
    await engine.close();
  }
});

test('an embeddings batch: one float embedding per line', async () => {
  const engine = await startEngine({ backend: createSimulatedBackend() });
  try {
    const line = (id: string): string => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/embeddings', body: { model: 'gemini-embedding-001', input: `text ${id}` } });
    const fileId = await upload(engine, [line('e1'), line('e2')]);
    const created = await engine.batches.createOpenAI(openAIBatchInput(fileId, { endpoint: '/v1/embeddings' }));
    const done = await engine.waitFor(created.batch.id);
    assert.deepEqual([done.batch.state, done.succeededCount, done.failedCount, done.batch.kind], ['BATCH_STATE_SUCCEEDED', 2, 0, 'embed']);
    const output = await fileLines(engine, resultsFileId(created.batch.id));
    const body = (output?.[1]?.response as { body: { object: string; data: { object: string; embedding: unknown[] }[] } }).body;
    assert.deepEqual([output?.[1]?.custom_id, body.object, body.data[0]?.object, body.data[0]?.embedding.every((value) => typeof value === 'number')], ['e2', 'list', 'embedding', true]);
    assert.equal(await engine.store.files.get(TENANT, errorFileId(created.batch.id)), undefined);
  } finally {
    await engine.close();
  }
});

/** Answers the first `answered` calls, then holds every later one until it is aborted. */
function answerThenHold(answered: number): ModelBackend {
  const simulated = createSimulatedBackend();
  let calls = 0;
  return {
    id: 'answer-then-hold',
    async generateContent(request, options) {
      if (++calls <= answered) return simulated.generateContent(request, options);
      return new Promise<never>((_, reject) => {
        if (options.signal.aborted) reject(cancelledError(options.signal));
        else options.signal.addEventListener('abort', () => reject(cancelledError(options.signal)), { once: true });
      });
    },
  };
}

test('cancel keeps the finished results in the output file; the rest are batch_cancelled', async () => {
  const engine = await startEngine({ backend: answerThenHold(3), concurrency: 2, shardSize: 4 });
  try {
    const fileId = await upload(engine, Array.from({ length: 10 }, (_, index) => chatLine(`k${index}`)));
    const created = await engine.batches.createOpenAI(openAIBatchInput(fileId));
    await engine.waitFor(created.batch.id, (view) => view.succeededCount >= 3, 10_000);
    await engine.batches.cancel(TENANT, created.batch.id);
    const done = await engine.waitFor(created.batch.id);
    assert.deepEqual([done.batch.state, done.succeededCount, done.failedCount], ['BATCH_STATE_CANCELLED', 3, 7]);
    assert.equal((await fileLines(engine, resultsFileId(created.batch.id)))?.length, 3);
    const errors = await fileLines(engine, errorFileId(created.batch.id));
    assert.equal(errors?.length, 7);
    assert.ok(errors?.every((line) => line.response === null && (line.error as { code: string }).code === 'batch_cancelled'));
    const ids = [...(await fileLines(engine, resultsFileId(created.batch.id)) ?? []), ...(errors ?? [])].map((line) => line.custom_id).sort();
    assert.deepEqual(ids, Array.from({ length: 10 }, (_, index) => `k${index}`).sort(), 'every request in exactly one file');
  } finally {
    await engine.close();
  }
});

test('a file with bad lines is a batch FAILED at create: nothing runs, and it can be deleted', async () => {
  const engine = await startEngine({ backend: createSimulatedBackend() });
  try {
    const fileId = await upload(engine, [chatLine('a'), chatLine('a')]);
    const created = await engine.batches.createOpenAI(openAIBatchInput(fileId));
    assert.deepEqual([created.batch.state, created.batch.requestCount, created.batch.openai?.errors?.[0]?.code], ['BATCH_STATE_FAILED', 0, 'duplicate_custom_id']);
    await assert.rejects(engine.batches.cancel(TENANT, created.batch.id));
    const progress = await engine.batches.progress(TENANT, created.batch.id);
    assert.deepEqual([progress.batch.state, progress.pendingCount, progress.queuePosition], ['BATCH_STATE_FAILED', 0, 0]);
    // A good batch created after it runs to its end (claims and sweeps went by): the failed one is untouched.
    const good = await engine.batches.createOpenAI(openAIBatchInput(await upload(engine, [chatLine('g')])));
    assert.equal((await engine.waitFor(good.batch.id)).batch.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual((await engine.batches.get(TENANT, created.batch.id)).batch, created.batch);
    await engine.batches.delete(TENANT, created.batch.id);
    await assert.rejects(engine.batches.get(TENANT, created.batch.id));
  } finally {
    await engine.close();
  }
});

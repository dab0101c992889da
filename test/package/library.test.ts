/**
 * batchmode as a library, as a user's test suite runs it: `startServer()` from the package entry
 * (src/index.ts) with its defaults (free port, temporary data directory, generated key), the
 * official SDKs pointed at it, and `close()` leaving nothing behind; settings passed through.
 */
import { GoogleGenAI, JobState } from '@google/genai';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import OpenAI from 'openai';
import { startServer } from '../../src/index.js';
import { pollUntil } from '../support/poll.js';

test('startServer() runs a batch for @google/genai and the openai SDK, and close() removes its data', { timeout: 60_000 }, async () => {
  const server = await startServer();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.apiKey.length > 0 && server.apiKeys.includes(server.apiKey));
    assert.ok(existsSync(server.dataDir));
    const ai = new GoogleGenAI({ apiKey: server.apiKey, httpOptions: { baseUrl: server.url } });
    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: [{ contents: [{ parts: [{ text: 'Hello from a test suite' }] }] }] });
    const done = await pollUntil(() => ai.batches.get({ name: job.name ?? '' }), (batch) => batch.state === JobState.JOB_STATE_SUCCEEDED, 30_000);
    assert.equal(done.dest?.inlinedResponses?.length, 1);
    const openai = new OpenAI({ apiKey: server.apiKey, baseURL: `${server.url}/v1beta/openai`, maxRetries: 0 });
    const chat = await openai.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] });
    assert.equal(chat.object, 'chat.completion');
  } finally {
    await server.close();
  }
  assert.ok(!existsSync(server.dataDir), 'the temporary data directory is removed');
});

test('startServer() takes keys and any setting by name; a bad setting is refused without leaving a directory', async () => {
  const server = await startServer({ apiKeys: ['suite-key-a', 'suite-key-b'], settings: { simFaults: '[{"match":"poison","error":"INVALID_ARGUMENT"}]', workers: false } });
  try {
    assert.deepEqual(server.apiKeys, ['suite-key-a', 'suite-key-b']);
    const ai = new GoogleGenAI({ apiKey: 'suite-key-b', httpOptions: { baseUrl: server.url } });
    await assert.rejects(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'poison' }), /INVALID_ARGUMENT|400/);
    const job = await ai.batches.create({ model: 'gemini-2.5-flash', src: [{ contents: [{ parts: [{ text: 'queued' }] }] }] });
    assert.equal((await ai.batches.get({ name: job.name ?? '' })).state, JobState.JOB_STATE_PENDING, 'workers: false runs no batch');
  } finally {
    await server.close();
  }
  await assert.rejects(startServer({ settings: { shardSize: -1 } }), /--shard-size/);
});

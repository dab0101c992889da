/**
 * `batchmode serve --config models.yaml`, as the README says to start it (no BATCHMODE_CONFIG):
 * the routes of the file are the ones served. An interactive call answers from a local fake
 * OpenAI-compatible server, and a batch request routed to a server that accepts requests and
 * never answers ends, after the route's `timeoutSeconds` and `--max-attempts` tries, as a
 * DEADLINE_EXCEEDED error line, every abandoned connection closed. Also: an unknown option to
 * `serve` or `worker` is a usage error (exit 2), never ignored.
 */
import { GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../src/backends/openai/testing/fake-openai-server.js';
import { pollUntil } from '../support/poll.js';
import { runCli } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'serve-config-key';

/** An HTTP server that reads every request and never answers; counts requests and closed connections. */
async function startSilentServer(): Promise<{ server: Server; baseUrl: string; requests: IncomingMessage[]; closed: () => number }> {
  const requests: IncomingMessage[] = [];
  let closed = 0;
  const server = createServer((request) => {
    requests.push(request);
    request.resume();
    request.socket.once('close', () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests, closed: () => closed };
}

describe('batchmode serve --config <file.yaml>', () => {
  const work = mkdtempSync(join(tmpdir(), 'batchmode-serve-config-'));
  let fake: FakeOpenAIServer;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let server: ServerProcess;

  before(async () => {
    fake = await startFakeOpenAIServer();
    silent = await startSilentServer();
    const config = join(work, 'models.yaml');
    writeFileSync(config, [
      'models:',
      '  - name: gemini-2.5-flash',
      `    backend: { type: openai, baseUrl: "${fake.baseUrl}", model: local-qwen }`,
      '  - name: silent-model',
      `    backend: { type: openai, baseUrl: "${silent.baseUrl}" }`,
      '    timeoutSeconds: 0.4',
    ].join('\n'));
    // BATCHMODE_CONFIG emptied: the flag alone must carry the file.
    server = await startServerProcess({ args: ['--config', config, '--max-attempts', '2'], env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_CONFIG: '' } });
  });
  after(async () => {
    await server.stop();
    await fake.close();
    silent.server.closeAllConnections();
    await new Promise((resolve) => silent.server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  test('the banner lists the routes of the file, not the simulated model', async () => {
    // The start-up helper returns at the banner's first line; its last one starts with `try:`.
    const banner = await pollUntil(async () => server.output(), (output) => output.includes('  try: '), 5_000, 20);
    assert.doesNotMatch(banner, /no model configuration/);
    assert.ok(banner.includes(`models: gemini-2.5-flash → openai (${fake.baseUrl})`), banner);
    assert.ok(banner.includes(`models: silent-model → openai (${silent.baseUrl})`), banner);
  });

  test('generateContent answers from the configured OpenAI-compatible server', async () => {
    const reply = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'x-goog-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }] }),
    });
    assert.equal(reply.status, 200, await reply.clone().text());
    const answer = (await reply.json()) as { candidates: { content: { parts: { text?: string }[] } }[] };
    assert.equal(answer.candidates[0]?.content.parts.at(-1)?.text, 'The capital of France is Paris.', 'the fake\'s recorded answer');
    const seen = fake.requests.at(-1);
    assert.equal((seen?.body as { model?: string } | undefined)?.model, 'local-qwen');
    assert.deepEqual(seen?.problems, []);
  });

  test("a backend that never answers: each try is cut at the route's timeoutSeconds, retried, and ends as DEADLINE_EXCEEDED", async () => {
    const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
    const began = Date.now();
    const created = await ai.batches.create({ model: 'silent-model', src: [{ contents: [{ role: 'user', parts: [{ text: 'anyone there?' }] }] }] });
    const job = await pollUntil(() => ai.batches.get({ name: created.name ?? '' }), (batch) => String(batch.state) === 'JOB_STATE_SUCCEEDED', 20_000, 100);
    const elapsed = Date.now() - began;
    const error = job.dest?.inlinedResponses?.[0]?.error;
    assert.equal(error?.code, 4, JSON.stringify(job.dest));
    assert.match(String(error?.message), /did not answer within 0\.4 s/);
    assert.equal(silent.requests.length, 2, '--max-attempts 2: two tries');
    assert.ok(elapsed >= 800, `two tries of 0.4 s ended after ${elapsed} ms`);
    await pollUntil(async () => silent.closed(), (closed) => closed === 2, 5_000, 20);
  });
});

describe('unknown options are usage errors', () => {
  for (const command of ['serve', 'worker']) {
    test(`batchmode ${command} --no-such-flag exits 2 and names the option`, async () => {
      const result = await runCli([command, '--no-such-flag']);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /unknown option '--no-such-flag'/);
      assert.doesNotMatch(result.stdout, /listening|running/);
    });
  }

  test('a misspelt flag gets a suggestion; an extra argument is refused too', async () => {
    const misspelt = await runCli(['serve', '--confg', 'models.yaml']);
    assert.equal(misspelt.code, 2, misspelt.stderr);
    assert.match(misspelt.stderr, /Did you mean --config\?/);
    const extra = await runCli(['worker', 'models.yaml']);
    assert.equal(extra.code, 2, extra.stderr);
    assert.match(extra.stderr, /too many arguments/);
  });
});

/**
 * A 100,000-request file batch on the zero-latency simulated model, end to end through a
 * server process: it succeeds, every key comes back exactly once and in order, and the wall
 * time and the server's peak RSS are reported (diagnostics, not assertions on speed).
 * BATCHMODE_TEST_LARGE_BATCH sets the size.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { after, before, describe, test } from 'node:test';
import { readLines } from '../../src/lib/line-reader.js';
import { pollUntil } from '../support/poll.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'large-key';
const REQUESTS = Number(process.env.BATCHMODE_TEST_LARGE_BATCH ?? 100_000);
const MIB = 1024 * 1024;

describe(`a ${REQUESTS}-request file batch`, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY, BATCHMODE_WORKER_CONCURRENCY: '256' } });
  });
  after(() => server.stop());

  test('completes with every key exactly once, in input order', { timeout: 600_000 }, async (context) => {
    const headers = { 'x-goog-api-key': KEY };
    const body = Array.from({ length: REQUESTS }, (_, index) =>
      `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"Summarise item number ${index} in one line."}]}]}}\n`).join('');
    const upload = await fetch(`${server.url}/upload/v1beta/files`, {
      method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/jsonl' }, body,
    });
    const { file } = (await upload.json()) as { file: { name: string } };

    const started = performance.now();
    const created = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
      method: 'POST', headers, body: JSON.stringify({ batch: { displayName: 'large', inputConfig: { fileName: file.name } } }),
    });
    assert.equal(created.status, 200, await created.clone().text());
    const { name } = (await created.json()) as { name: string };
    const createdAt = performance.now();
    const done = await pollUntil(
      async () => (await (await fetch(`${server.url}/v1beta/${name}`, { headers })).json()) as { done?: boolean; metadata: { state: string; batchStats: Record<string, string> }; response: { responsesFile: string } },
      (operation) => operation.done === true, 600_000, 200,
    );
    const finished = performance.now();
    assert.equal(done.metadata.state, 'BATCH_STATE_SUCCEEDED');
    assert.deepEqual(done.metadata.batchStats, { requestCount: String(REQUESTS), successfulRequestCount: String(REQUESTS) });

    const results = await fetch(`${server.url}/download/v1beta/${done.response.responsesFile}:download?alt=media`, { headers });
    let expected = 0;
    for await (const line of readLines(Readable.fromWeb(results.body as WebReadableStream<Uint8Array>))) {
      const key = /^\{"key":"(k\d+)"/.exec(line.bytes.toString('utf8'))?.[1];
      assert.equal(key, `k${expected}`);
      expected++;
    }
    assert.equal(expected, REQUESTS);
    context.diagnostic(`create (validate ${REQUESTS} lines): ${((createdAt - started) / 1000).toFixed(2)} s; create → SUCCEEDED: ${((finished - started) / 1000).toFixed(2)} s (${Math.round(REQUESTS / ((finished - started) / 1000))} requests/s); server peak RSS ${(server.peakRssBytes() / MIB).toFixed(0)} MiB`);
  });
});

/**
 * The operator's log of a real `batchmode serve` process, read from its stderr alone:
 *
 * - one small batch (a request that succeeds, one the backend refuses, one it answers 429 once
 *   and then serves) leaves its lifecycle lines: created, running, the retry and the failure,
 *   finished with counts, usage and duration; a cancelled batch its stop request and ending;
 * - `X-Request-Id` and `traceparent` sent over real HTTP come back on the answer and are on the
 *   request's log line;
 * - with file bytes in S3 (s3rver) at debug level, every line the process writes to stderr is
 *   JSON: the AWS SDK's plain-text Node version warning included.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { startLocalS3, type LocalS3 } from '../../src/store/s3/testing/local-s3.js';
import { pollUntil } from '../support/poll.js';

const projectRoot = resolve(import.meta.dirname, '../..');
const KEY = 'logs-key';
const MODEL = 'gemini-2.5-flash';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const TRACEPARENT = `00-${TRACE_ID}-b7ad6b7169203331-01`;

interface Served {
  url: string;
  stderr(): string;
  /** The stderr lines parsed; a line that is not JSON fails the test, naming it. */
  lines(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** `batchmode serve` as a child process, its stdout (the banner) and stderr (the log) kept apart. */
async function serve(env: Record<string, string>, args: string[] = []): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchmode-logs-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: projectRoot, env: { ...process.env, BATCHMODE_API_KEYS: KEY, BATCHMODE_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolveExit) => {
        child.once('exit', () => resolveExit());
        child.kill('SIGTERM');
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const banner = await pollUntil(async () => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}:\n${stdout}\n${stderr}`);
      return stdout;
    }, (text) => /listening on http:\/\/\S+/.test(text), 30_000, 50, 'the banner');
    const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!;
    const lines = (): Record<string, unknown>[] => stderr.split('\n').filter((line) => line !== '').map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new assert.AssertionError({ message: `a stderr line is not JSON: ${line}` });
      }
    });
    return { url, stderr: () => stderr, lines, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const headers = { 'x-goog-api-key': KEY, 'content-type': 'application/json' };

async function createInlineBatch(url: string, texts: string[], extraHeaders: Record<string, string> = {}): Promise<{ id: string; response: Response }> {
  const requests = texts.map((text, i) => ({ request: { contents: [{ parts: [{ text }] }] }, metadata: { key: `k${i}` } }));
  const response = await fetch(`${url}/v1beta/models/${MODEL}:batchGenerateContent`, {
    method: 'POST', headers: { ...headers, ...extraHeaders }, body: JSON.stringify({ batch: { displayName: 'logs test', inputConfig: { requests: { requests } } } }),
  });
  const body = (await response.json()) as { name?: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  return { id: String(body.name).replace(/^batches\//, ''), response };
}

const stateOf = async (url: string, id: string): Promise<string> => {
  const body = (await (await fetch(`${url}/v1beta/batches/${id}`, { headers })).json()) as { metadata?: { state?: string } };
  return body.metadata?.state ?? '';
};

describe('logs of batchmode serve (SQLite)', () => {
  let served: Served | undefined;
  after(() => served?.stop());

  test("one batch's lifecycle lines, a cancelled batch's, and request ids and traceparent over real HTTP", { timeout: 60_000 }, async (context) => {
    const faults = [
      { match: 'poison', error: 'INVALID_ARGUMENT' },
      { match: 'busy', error: 'RESOURCE_EXHAUSTED', httpStatus: 429, retryAfterSeconds: 0.05, attempts: 1 },
      { match: 'slow', kind: 'timeout' },
    ];
    served = await serve({ BATCHMODE_SIM_FAULTS: JSON.stringify(faults) });
    const { url } = served;

    const { id, response } = await createInlineBatch(url, ['hello', 'poison pill', 'busy now'], { 'x-request-id': 'logs-create-1', traceparent: TRACEPARENT });
    assert.equal(response.headers.get('x-request-id'), 'logs-create-1');
    assert.equal(response.headers.get('traceparent'), TRACEPARENT);
    await pollUntil(() => stateOf(url, id), (state) => state === 'BATCH_STATE_SUCCEEDED', 30_000, 50, 'the batch to succeed');
    const finishedLine = (batch: string) => (line: Record<string, unknown>) => line.event === 'batch.finished' && line.batch === batch;
    const lines = await pollUntil(async () => served!.lines(), (found) => found.some(finishedLine(id)), 10_000, 50, 'the batch.finished line');

    const ofBatch = lines.filter((line) => line.batch === id);
    context.diagnostic(`the lines of batch ${id}:\n${ofBatch.map((line) => JSON.stringify(line)).join('\n')}`);
    const events = ofBatch.map((line) => line.event).filter((event) => typeof event === 'string');
    for (const expected of ['batch.created', 'batch.running', 'backend.retry', 'backend.failure', 'batch.finished']) {
      assert.ok(events.includes(expected), `${expected} in ${events.join(', ')}`);
    }
    assert.ok(events.indexOf('batch.created') < events.indexOf('batch.running') && events.indexOf('batch.running') < events.indexOf('batch.finished'), events.join(', '));

    const created = ofBatch.find((line) => line.event === 'batch.created')!;
    assert.deepEqual([created.level, created.model, created.kind, created.surface, created.requestCount, typeof created.tenant], ['info', MODEL, 'generate', 'native', 3, 'string']);
    const running = ofBatch.find((line) => line.event === 'batch.running')!;
    assert.equal(typeof running.queuedMs, 'number');
    const retry = ofBatch.find((line) => line.event === 'backend.retry')!;
    assert.deepEqual([retry.level, retry.model, retry.rpcStatus, retry.attempt], ['info', MODEL, 'RESOURCE_EXHAUSTED', 1]);
    assert.deepEqual([typeof retry.retryInMs, typeof retry.retryAfter], ['number', 'boolean']);
    const failure = ofBatch.find((line) => line.event === 'backend.failure')!;
    assert.deepEqual([failure.level, failure.model, failure.rpcStatus], ['warn', MODEL, 'INVALID_ARGUMENT']);
    const finished = ofBatch.find((line) => line.event === 'batch.finished')!;
    assert.deepEqual([finished.level, finished.state, finished.requestCount, finished.succeeded, finished.failed], ['info', 'BATCH_STATE_SUCCEEDED', 3, 2, 1]);
    assert.equal(typeof finished.durationMs, 'number');
    assert.equal(typeof finished.finalizeMs, 'number');
    assert.ok((finished.usage as { totalTokenCount?: number } | undefined)?.totalTokenCount, `usage: ${JSON.stringify(finished.usage)}`);

    // The create request's own line carries the client's request id and trace id.
    const createLine = lines.find((line) => line.msg === 'request' && line.requestId === 'logs-create-1');
    assert.deepEqual([createLine?.traceId, createLine?.route, createLine?.status], [TRACE_ID, `/v1beta/models/{model}:batchGenerateContent`, 200]);
    // A request without one gets an id of its own, echoed too; a bad traceparent is not echoed.
    const plain = await fetch(`${url}/v1beta/batches/${id}`, { headers: { ...headers, traceparent: 'not-a-trace' } });
    await plain.arrayBuffer();
    assert.match(plain.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(plain.headers.get('traceparent'), null);

    // A batch cancelled while a request hangs: its stop request and its ending.
    const cancelled = await createInlineBatch(url, ['slow one']);
    await pollUntil(() => stateOf(url, cancelled.id), (state) => state === 'BATCH_STATE_RUNNING', 20_000, 50, 'the second batch to run');
    const cancel = await fetch(`${url}/v1beta/batches/${cancelled.id}:cancel`, { method: 'POST', headers });
    assert.equal(cancel.status, 200, await cancel.text());
    const after = await pollUntil(async () => served!.lines(), (found) => found.some(finishedLine(cancelled.id)), 20_000, 50, 'the cancelled batch.finished line');
    const cancelEvents = after.filter((line) => line.batch === cancelled.id).map((line) => `${String(line.event)} ${typeof line.state === 'string' ? line.state : ''}`.trim());
    assert.deepEqual(cancelEvents.filter((event) => event.startsWith('batch.')), [
      'batch.created BATCH_STATE_PENDING', 'batch.running', 'batch.stopping BATCH_STATE_CANCELLED', 'batch.finished BATCH_STATE_CANCELLED',
    ]);
  });
});

describe('logs with file bytes in S3', () => {
  let s3: LocalS3 | undefined;
  let served: Served | undefined;
  after(async () => {
    await served?.stop();
    await s3?.close();
  });

  test('every line written to stderr is JSON, the AWS SDK warning included', { timeout: 60_000 }, async (context) => {
    s3 = await startLocalS3({ bucket: 'logs-bucket' });
    served = await serve({ ...s3.env, BATCHMODE_LOG_LEVEL: 'debug', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '' }, ['--blob-url', 's3://logs-bucket/batchmode']);
    const { url } = served;
    // Bytes through S3: an upload, a batch on it, its results.
    const upload = await fetch(`${url}/upload/v1beta/files`, {
      method: 'POST', headers: { 'x-goog-api-key': KEY, 'x-goog-upload-protocol': 'raw', 'content-type': 'application/jsonl' },
      body: `${JSON.stringify({ key: 'a', request: { contents: [{ parts: [{ text: 'hi' }] }] } })}\n`,
    });
    const file = (await upload.json()) as { file?: { name?: string } };
    assert.equal(upload.status, 200, JSON.stringify(file));
    const create = await fetch(`${url}/v1beta/models/${MODEL}:batchGenerateContent`, {
      method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.file?.name } } }),
    });
    const { name } = (await create.json()) as { name: string };
    await pollUntil(() => stateOf(url, name.replace(/^batches\//, '')), (state) => state === 'BATCH_STATE_SUCCEEDED', 30_000, 50, 'the S3 batch');
    await served.stop();

    const lines = served.lines(); // throws on the first line that is not JSON
    context.diagnostic(`${lines.length} stderr lines, all JSON; warnings: ${JSON.stringify(lines.filter((line) => line.level === 'warn'))}`);
    assert.ok(lines.some((line) => line.msg === 'request'), 'the process logged (debug level)');
    if (Number(process.versions.node.split('.')[0]) < 22) {
      const warning = lines.find((line) => String(line.msg).includes('NodeVersionSupportWarning'));
      assert.equal(warning?.event, 'process.warning', "the AWS SDK's Node version warning is a JSON log line");
    }
  });
});

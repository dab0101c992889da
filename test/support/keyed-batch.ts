/**
 * A file batch of N numbered requests (keys k0…k{N-1}) against a running API, over plain HTTP:
 * submit it (raw upload, then create), read its operation without ever throwing (the API may be
 * down, restarting or answering 503 while a fault is on), wait for progress or for its end, and
 * read back its result lines. Used by the crash, scale-out, truthful-state and fault tests.
 */
import assert from 'node:assert/strict';
import { pollUntil } from './poll.js';

/** Where the API is: a server process, or an object whose `url` follows a server's restarts. */
export interface Api {
  readonly url: string;
}

/** A batch operation, as the API answers it. */
export interface Operation {
  name: string;
  done?: boolean;
  metadata: {
    state: string;
    batchStats: Record<string, string>;
    output?: { responsesFile?: string };
    endTime?: string;
    updateTime?: string;
  };
  response?: { responsesFile?: string };
}

/** One HTTP answer, as read: status, parsed JSON body (undefined when not JSON) and time taken. */
export interface Answer<T = unknown> {
  status: number;
  body: T | undefined;
  contentType: string;
  ms: number;
}

/** One line of a results file. */
export interface ResultLine {
  key: string;
  response?: unknown;
  error?: { code?: number; status?: string; message?: string };
}

export interface KeyedBatchOptions {
  /** The prompt of request i is `<label> <i>` (default `keyed request`). */
  label?: string;
  /** The batch's completion window, e.g. `1s`. */
  completionWindow?: string;
}

export interface KeyedBatch {
  /** `batches/…` */
  name: string;
  /** The uploaded input file, `files/…`. */
  fileName: string;
  /** GET the operation; a failed fetch reads as status 0. */
  read(): Promise<Answer<Operation>>;
  /** Polls until the batch is done (tolerating failed reads and 503s on the way); fails after `timeoutMs`. */
  waitDone(timeoutMs: number): Promise<Operation>;
  /** Polls until `succeededCount` results are reported (or the batch is done); returns the operation then. */
  waitProgress(succeededCount: number, timeoutMs: number): Promise<Operation>;
}

/** GETs `path` from the API with the key; never throws (status 0 when the fetch itself fails). */
export async function getJson<T>(api: Api, key: string, path: string, timeoutMs = 15_000): Promise<Answer<T>> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${api.url}${path}`, { headers: { 'x-goog-api-key': key }, signal: AbortSignal.timeout(timeoutMs) });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    let body: T | undefined;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = undefined;
    }
    return { status: response.status, body, contentType, ms: Date.now() - startedAt };
  } catch {
    return { status: 0, body: undefined, contentType: '', ms: Date.now() - startedAt };
  }
}

/** The JSONL input of `count` numbered requests. */
export const keyedInput = (count: number, label = 'keyed request'): string =>
  Array.from({ length: count }, (_, index) => `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"${label} ${index}"}]}]}}\n`).join('');

/** Uploads `count` requests as one JSONL file and creates a batch of it. */
export async function submitKeyedBatch(api: Api, key: string, count: number, options: KeyedBatchOptions = {}): Promise<KeyedBatch> {
  const headers = { 'x-goog-api-key': key };
  const upload = await fetch(`${api.url}/upload/v1beta/files`, {
    method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw' }, body: keyedInput(count, options.label),
  });
  assert.equal(upload.status, 200, await upload.clone().text());
  const { file } = (await upload.json()) as { file: { name: string } };
  const batch = { inputConfig: { fileName: file.name }, ...(options.completionWindow ? { completionWindow: options.completionWindow } : {}) };
  const created = await fetch(`${api.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, { method: 'POST', headers, body: JSON.stringify({ batch }) });
  assert.equal(created.status, 200, await created.clone().text());
  const { name } = (await created.json()) as { name: string };
  const read = (): Promise<Answer<Operation>> => getJson<Operation>(api, key, `/v1beta/${name}`);
  const poll = async (isDone: (operation: Operation) => boolean, timeoutMs: number, what: string): Promise<Operation> => {
    const last = await pollUntil(read, (answer) => answer.status === 200 && answer.body !== undefined && isDone(answer.body), timeoutMs, 200, `${what} of ${name}`);
    return last.body!;
  };
  return {
    name,
    fileName: file.name,
    read,
    waitDone: (timeoutMs) => poll((operation) => operation.done === true, timeoutMs, 'the end'),
    waitProgress: (succeededCount, timeoutMs) =>
      poll((operation) => operation.done === true || succeededOf(operation) >= succeededCount, timeoutMs, `${succeededCount} results`),
  };
}

/** The successful request count an operation reports so far. */
export const succeededOf = (operation: Operation): number => Number(operation.metadata.batchStats.successfulRequestCount ?? 0);

/** The lines of the finished batch's results file, in file order. */
export async function resultLinesOf(api: Api, key: string, operation: Operation): Promise<ResultLine[]> {
  const file = operation.response?.responsesFile;
  assert.ok(file, `the finished batch names its results file: ${JSON.stringify(operation)}`);
  const results = await fetch(`${api.url}/download/v1beta/${file}:download?alt=media`, { headers: { 'x-goog-api-key': key } });
  assert.equal(results.status, 200);
  return (await results.text()).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ResultLine);
}

/** The keys of the batch's results file, in file order. */
export async function resultKeys(api: Api, key: string, operation: Operation): Promise<string[]> {
  return (await resultLinesOf(api, key, operation)).map((line) => line.key);
}

/** Asserts every key k0…k{count-1} appears exactly once, in order. */
export function assertEveryKeyOnce(keys: readonly string[], count: number): void {
  const seen = new Map<string, number>();
  for (const each of keys) seen.set(each, (seen.get(each) ?? 0) + 1);
  const duplicated = [...seen].filter(([, times]) => times > 1).map(([each]) => each);
  const missing = Array.from({ length: count }, (_, index) => `k${index}`).filter((each) => !seen.has(each));
  assert.deepEqual({ duplicated: duplicated.slice(0, 10), missing: missing.slice(0, 10) }, { duplicated: [], missing: [] });
  assert.equal(keys.length, count);
  keys.forEach((each, index) => assert.equal(each, `k${index}`));
}

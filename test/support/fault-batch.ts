/**
 * What the fault tests do with a scale-out deployment's API: submit a batch of N numbered
 * requests (keys k0…k{N-1}), read its operation without ever throwing (the API may be down or
 * answering 503 while a fault is on), wait for it to end, read back the keys of its results, and
 * check that every process of the deployment is still running.
 */
import assert from 'node:assert/strict';
import type { ScaleOutDeployment } from './scale-out-deployment.js';
import type { ServerProcess } from './server-process.js';

export interface Operation {
  done?: boolean;
  metadata: { state: string; batchStats: Record<string, string> };
  response?: { responsesFile: string };
}

/** One HTTP answer, as read: status, parsed JSON body (undefined when not JSON) and time taken. */
export interface Answer<T = unknown> {
  status: number;
  body: T | undefined;
  contentType: string;
  ms: number;
}

export interface FaultBatch {
  name: string;
  /** The uploaded input file, `files/…`. */
  fileName: string;
  /** GET the operation; a failed fetch reads as status 0. */
  read(): Promise<Answer<Operation>>;
  /** Polls until the batch is done (tolerating 503s on the way); fails after `timeoutMs`. */
  waitDone(timeoutMs: number): Promise<Operation>;
  /** Polls until `succeededCount` results are reported; returns the operation then. */
  waitProgress(succeededCount: number, timeoutMs: number): Promise<Operation>;
}

/** GETs `path` from the API with the key; never throws (status 0 when the fetch itself fails). */
export async function getJson<T>(api: ServerProcess, key: string, path: string, timeoutMs = 15_000): Promise<Answer<T>> {
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

/** Uploads `count` requests as one JSONL file and creates a batch of it. */
export async function submitFaultBatch(api: ServerProcess, key: string, count: number): Promise<FaultBatch> {
  const headers = { 'x-goog-api-key': key };
  const body = Array.from({ length: count }, (_, index) => `{"key":"k${index}","request":{"contents":[{"parts":[{"text":"fault test ${index}"}]}]}}\n`).join('');
  const upload = await fetch(`${api.url}/upload/v1beta/files`, { method: 'POST', headers: { ...headers, 'x-goog-upload-protocol': 'raw' }, body });
  assert.equal(upload.status, 200, await upload.clone().text());
  const { file } = (await upload.json()) as { file: { name: string } };
  const created = await fetch(`${api.url}/v1beta/models/gemini-2.5-flash:batchGenerateContent`, {
    method: 'POST', headers, body: JSON.stringify({ batch: { inputConfig: { fileName: file.name } } }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const { name } = (await created.json()) as { name: string };
  const read = (): Promise<Answer<Operation>> => getJson<Operation>(api, key, `/v1beta/${name}`);
  const poll = async (isDone: (operation: Operation) => boolean, timeoutMs: number, what: string): Promise<Operation> => {
    const deadline = Date.now() + timeoutMs;
    let last: Answer<Operation> | undefined;
    for (;;) {
      last = await read();
      if (last.status === 200 && last.body && isDone(last.body)) return last.body;
      if (Date.now() > deadline) throw new Error(`batch ${name}: no ${what} within ${timeoutMs} ms; last answer ${last.status} ${JSON.stringify(last.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return {
    name,
    fileName: file.name,
    read,
    waitDone: (timeoutMs) => poll((operation) => operation.done === true, timeoutMs, 'end'),
    waitProgress: (succeededCount, timeoutMs) =>
      poll((operation) => operation.done === true || succeededOf(operation) >= succeededCount, timeoutMs, `${succeededCount} results`),
  };
}

/** The successful request count an operation reports so far. */
export const succeededOf = (operation: Operation): number => Number(operation.metadata.batchStats.successfulRequestCount ?? 0);

/** The keys of the batch's results file, in file order. */
export async function resultKeys(api: ServerProcess, key: string, operation: Operation): Promise<string[]> {
  const file = operation.response?.responsesFile;
  assert.ok(file, `the finished batch names its results file: ${JSON.stringify(operation)}`);
  const results = await fetch(`${api.url}/download/v1beta/${file}:download?alt=media`, { headers: { 'x-goog-api-key': key } });
  assert.equal(results.status, 200);
  return (await results.text()).trim().split('\n').map((line) => (JSON.parse(line) as { key: string }).key);
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

/** The processes of the deployment that are no longer running, with the end of their output. */
export function deadProcesses(processes: readonly ServerProcess[]): string[] {
  return processes
    .map((each, index) => ({ each, index }))
    .filter(({ each }) => each.child.exitCode !== null || each.child.signalCode !== null)
    .map(({ each, index }) => `process ${index} ended (${each.child.exitCode ?? each.child.signalCode}):\n${each.output().slice(-3000)}`);
}

/** Every process of a deployment: the API first, then the workers. */
export const processesOf = (deployment: ScaleOutDeployment): ServerProcess[] => [deployment.api, ...deployment.workers];

/** How many times each log message (`msg` of the JSON log lines) appears in a process's output. */
export function logMessages(process: ServerProcess): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of process.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const { msg } = JSON.parse(line) as { msg?: unknown };
      if (typeof msg === 'string') counts[msg] = (counts[msg] ?? 0) + 1;
    } catch {
      // not a log line
    }
  }
  return counts;
}

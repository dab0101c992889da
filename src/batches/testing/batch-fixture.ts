/**
 * Test helper for the batches/ and files/ unit tests: a manual clock, the real submitter over
 * the simulated backend, inline requests and uploaded JSONL inputs, shard-log lines written by
 * hand (as a worker would), and blobs read back as text. The tests bring the storage (real
 * SQLite and a local blob store in a temp dir), so this file needs no adapter.
 */
import { Readable } from 'node:stream';
import { createBackendRegistry } from '../../backends/registry.js';
import { createSimulatedBackend } from '../../backends/simulated/simulated-backend.js';
import type { BatchRecord } from '../../core/batch.js';
import { fileKey, shardLogKey } from '../../core/blob-keys.js';
import type { FileRecord } from '../../core/file.js';
import type { Clock } from '../../lib/clock.js';
import { randomId } from '../../lib/ids.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Store } from '../../store/store.js';
import { errorLine, rpcStatus, successLine } from '../result-line.js';
import { encodeOutputLine } from '../shard-log.js';
import { createBatchSubmitter, type SubmitBatchInput } from '../submit-batch.js';
import { createOpenAIBatchSubmitter, type SubmitOpenAIBatchInput } from '../submit-openai-batch.js';

export const TENANT = 'tenant-1';
export const MODEL = 'gemini-test';

/** A clock that moves only when told to. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function manualClock(startMs = 1_700_000_000_000): ManualClock {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

/** Model names matching `name` served by the simulated backend (names with `embed` embed, as the simulated models do). */
const testRegistry = (name = '*') => createBackendRegistry([{ name, backend: createSimulatedBackend(), limits: { maxConcurrency: 1 } }]);

/** The real submitter, serving every model name with the simulated backend. */
export function testSubmitter(store: Store, blobs: BlobStore, clock: Clock, shardSize: number): (input: SubmitBatchInput) => Promise<BatchRecord> {
  return createBatchSubmitter({ store, blobs, registry: testRegistry(), clock, randomId, shardSize, completionWindowMs: 3_600_000 });
}

/** The real OpenAI-compatible submitter, serving `gemini-*` with the simulated backend. */
export function testOpenAISubmitter(store: Store, blobs: BlobStore, clock: Clock, shardSize: number): (input: SubmitOpenAIBatchInput) => Promise<BatchRecord> {
  return createOpenAIBatchSubmitter({ store, blobs, registry: testRegistry('gemini-*'), clock, randomId, shardSize, completionWindowMs: 3_600_000 });
}

/** `count` inline generate requests, each carrying its position as `metadata.i`. */
export const prompts = (count: number): unknown[] =>
  Array.from({ length: count }, (_, i) => ({ request: { contents: [{ parts: [{ text: `prompt ${i}` }] }] }, metadata: { i } }));

export function batchInput(source: SubmitBatchInput['source']): SubmitBatchInput {
  return { tenantId: TENANT, kind: 'generate', model: MODEL, displayName: 'test', priority: 0, webhookConfig: undefined, source };
}

/** Stores `text` as an uploaded file of the tenant; resolves its id. */
export async function uploadText(store: Store, blobs: BlobStore, clock: Clock, text: string): Promise<string> {
  const id = `input-${randomId(8)}`;
  const blobKey = fileKey(TENANT, id, 'v1');
  await blobs.append(blobKey, Readable.from([Buffer.from(text)]));
  const now = clock.now();
  const file: FileRecord = {
    id, tenantId: TENANT, displayName: id, mimeType: 'application/jsonl', sizeBytes: Buffer.byteLength(text), sha256Hex: '',
    state: 'ACTIVE', source: 'UPLOADED', blobKey, createTimeMs: now, updateTimeMs: now, expirationTimeMs: now + 3_600_000,
  };
  await store.files.insert(file);
  return id;
}

/** A shard-log line for request `index` of an inline batch, as a worker writes it. */
export function logLine(index: number, options: { failed?: boolean; totalTokens?: number } = {}): string {
  const identity = { metadata: { i: index } };
  return options.failed
    ? encodeOutputLine(index, false, errorLine(identity, rpcStatus('INVALID_ARGUMENT', 'bad request'), 'inline'))
    : encodeOutputLine(index, true, successLine(identity, { answer: index }, 'inline'), options.totalTokens ? { totalTokenCount: options.totalTokens } : undefined);
}

/** Appends raw text to a shard's log. */
export async function appendToLog(blobs: BlobStore, batchId: string, shardIndex: number, text: string): Promise<void> {
  await blobs.append(shardLogKey(batchId, shardIndex), Readable.from([Buffer.from(text)]));
}

export async function readText(blobs: BlobStore, key: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of await blobs.read(key)) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** The `metadata.i` (or `key`) of each JSON result line. */
export const identities = (lines: readonly string[]): unknown[] =>
  lines.map((line) => {
    const parsed = JSON.parse(line) as { key?: string; metadata?: { i: number } };
    return parsed.key ?? parsed.metadata?.i;
  });

/** One OpenAI batch input line for `/v1/chat/completions` (`overrides` replace top-level fields). */
export function chatLine(customId: string, text = customId, overrides: Record<string, unknown> = {}, model = 'gemini-2.5-flash'): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: text }] }, ...overrides });
}

/** The create input of an OpenAI batch on an uploaded file. */
export function openAIBatchInput(fileId: string, overrides: Partial<SubmitOpenAIBatchInput> = {}): SubmitOpenAIBatchInput {
  return {
    tenantId: TENANT, fileId, inputFileId: `files/${fileId}`, endpoint: '/v1/chat/completions', completionWindow: '24h',
    completionWindowMs: 86_400_000, metadata: undefined, ...overrides,
  };
}

/**
 * Helpers for tests of the OpenAI-compatible surface through the official `openai` SDK: batch
 * input lines, a JSONL upload, reading an output or error file back, and polling a batch.
 */
import type OpenAI from 'openai';
import { toFile } from 'openai';
import { pollUntil } from './poll.js';

export const CHAT_MODEL = 'gemini-2.5-flash';
export const EMBEDDING_MODEL = 'gemini-embedding-001';
export const TERMINAL = ['completed', 'failed', 'cancelled', 'expired'];

export type Batch = OpenAI.Batches.Batch;

export interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

export const chatLine = (customId: string, text: string, url = '/v1/chat/completions'): Record<string, unknown> => ({
  custom_id: customId, method: 'POST', url, body: { model: CHAT_MODEL, messages: [{ role: 'user', content: text }] },
});

export const embeddingLine = (customId: string, input: string, dimensions = 8): Record<string, unknown> => ({
  custom_id: customId, method: 'POST', url: '/v1/embeddings', body: { model: EMBEDDING_MODEL, input, dimensions },
});

/** Uploads lines (objects are JSON-encoded, strings go as they are) as a JSONL file with purpose `batch`. */
export async function uploadJsonl(client: OpenAI, name: string, lines: readonly (Record<string, unknown> | string)[]): Promise<OpenAI.Files.FileObject> {
  const text = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
  return client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'batch' });
}

/** The parsed lines of a file (none for a null id). */
export async function readJsonl(client: OpenAI, fileId: string | null | undefined): Promise<OutputLine[]> {
  if (!fileId) return [];
  const text = await (await client.files.content(fileId)).text();
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as OutputLine);
}

/** Polls the batch until `until` holds (default: a terminal status). */
export function waitForBatch(client: OpenAI, id: string, until: (batch: Batch) => boolean = (batch) => TERMINAL.includes(batch.status), timeoutMs = 60_000): Promise<Batch> {
  return pollUntil(() => client.batches.retrieve(id), until, timeoutMs, 50, `batch ${id}`);
}

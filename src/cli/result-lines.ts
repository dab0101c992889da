/**
 * Reading a batch's result lines one at a time, whatever holds them: the results file of a
 * finished file batch (downloaded as a stream, split into lines), the inline responses of a
 * finished inline batch, or `:results?follow=true` while it runs (batchmode's extension), each
 * result once even across reconnections. Also: which lines are errors, the filter
 * `--errors` / `--ok`, and the images a line holds (`--save-images`).
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ApiClient } from '../client/api-client.js';
import { inlinedResponsesOf, isTerminalState, responsesFileOf, shortState, type BatchOperation } from '../client/wire-types.js';
import { CliExit, EXIT } from './exit-codes.js';

export type LineFilter = 'errors' | 'ok' | undefined;

/** True for `{"error": …}` result lines. */
export function isErrorLine(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return parsed.error !== undefined && parsed.error !== null && parsed.response === undefined;
  } catch {
    return false;
  }
}

export function passes(filter: LineFilter, line: string): boolean {
  if (filter === undefined) return true;
  return (filter === 'errors') === isErrorLine(line);
}

/** Calls `onLine` with each line (no newline) of what is written to it; blank lines are dropped. */
export function lineSplitter(onLine: (line: string) => Promise<void>): Writable {
  let rest = '';
  // A chunk may end inside a multi-byte character: the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      (async () => {
        for (const line of lines) if (line.trim() !== '') await onLine(line);
      })().then(() => done(), done);
    },
    final(done) {
      const last = rest + decoder.end();
      rest = '';
      (last.trim() === '' ? Promise.resolve() : onLine(last)).then(() => done(), done);
    },
  });
}

/** Delivers every result line of the batch to `onLine`, in the order its source gives them. */
export async function readResultLines(client: ApiClient, operation: BatchOperation, follow: boolean, onLine: (line: string) => Promise<void>): Promise<void> {
  const state = operation.metadata?.state;
  const ended = operation.done === true || isTerminalState(state);
  if (follow && !ended) return followResults(client, operation.name, onLine);
  if (!ended) throw new CliExit(EXIT.FAILURE, `batch is ${shortState(state)}; results are available when it ends (batchmode batches watch ${operation.name}, or batches results --follow)`);
  const file = responsesFileOf(operation);
  if (file !== undefined) {
    const splitter = lineSplitter(onLine);
    await client.downloadFileTo(file, splitter);
    await new Promise<void>((resolve, reject) => splitter.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return;
  }
  const inlined = inlinedResponsesOf(operation);
  if (inlined === undefined) throw new CliExit(EXIT.FAILURE, `batch ${operation.name} has no results (${shortState(state)})`);
  for (const item of inlined) await onLine(JSON.stringify(item));
}

/**
 * `:results?follow=true` until the batch ends. The client reopens a broken stream itself (with
 * notices) and skips what it already gave; a stream that ends while the batch still runs is
 * opened again here, skipping the lines already passed on.
 */
async function followResults(client: ApiClient, name: string, onLine: (line: string) => Promise<void>): Promise<void> {
  const seen = new Set<string>();
  for (;;) {
    for await (const line of client.streamResults(name, { follow: true })) {
      if (line.trim() === '') continue;
      const id = identityOf(line);
      if (seen.has(id)) continue;
      seen.add(id);
      await onLine(line);
    }
    if (isTerminalState((await client.getBatch(name)).metadata?.state)) return;
  }
}

/** A line's key, or (inline results have none) a hash of the whole line. */
function identityOf(line: string): string {
  try {
    const key = (JSON.parse(line) as { key?: unknown }).key;
    if (typeof key === 'string') return `k:${key}`;
  } catch {
    // fall through
  }
  return `h:${createHash('sha256').update(line).digest('base64')}`;
}

/** One image of a result line: an `inlineData` part with an `image/*` MIME type. */
export interface LineImage {
  mimeType: string;
  /** Base64, as the line holds it. */
  data: string;
}

/**
 * The key of a result line (`key`, or an inline batch's `metadata.key`; undefined when it has
 * neither) and its images, candidate by candidate, part by part. Not JSON: no key, no images.
 */
export function imagesOfLine(line: string): { key: string | undefined; images: LineImage[] } {
  let parsed: { key?: unknown; metadata?: { key?: unknown }; response?: { candidates?: { content?: { parts?: { inlineData?: { mimeType?: unknown; data?: unknown } }[] } }[] } };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    return { key: undefined, images: [] };
  }
  const key = typeof parsed?.key === 'string' ? parsed.key : typeof parsed?.metadata?.key === 'string' ? parsed.metadata.key : undefined;
  const images: LineImage[] = [];
  for (const candidate of parsed?.response?.candidates ?? []) {
    for (const part of candidate?.content?.parts ?? []) {
      const { mimeType, data } = part?.inlineData ?? {};
      if (typeof mimeType === 'string' && mimeType.toLowerCase().startsWith('image/') && typeof data === 'string') images.push({ mimeType, data });
    }
  }
  return { key, images };
}

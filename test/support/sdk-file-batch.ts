/**
 * A file batch through the official JS SDK, as a user writes one: the lines written as JSONL,
 * `files.upload`, `batches.create`, `batches.get` until SUCCEEDED, `files.download` of the
 * results, each result line parsed. For tests whose subject is what the lines do.
 */
import type { GoogleGenAI } from '@google/genai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from './poll.js';

/** Runs `lines` as one file batch on `model`, in directory `work`; resolves the batch's name and its result lines in file order. */
export async function runSdkFileBatch<Result>(ai: GoogleGenAI, work: string, model: string, lines: readonly unknown[]): Promise<{ name: string; results: Result[] }> {
  const path = join(work, 'requests.jsonl');
  writeFileSync(path, lines.map((line) => JSON.stringify(line)).join('\n'));
  const file = await ai.files.upload({ file: path, config: { mimeType: 'jsonl' } });
  const created = await ai.batches.create({ model, src: file.name ?? '' });
  const job = await pollUntil(() => ai.batches.get({ name: created.name ?? '' }), (batch) => String(batch.state) === 'JOB_STATE_SUCCEEDED');
  const out = join(work, 'out.jsonl');
  await ai.files.download({ file: job.dest?.fileName ?? '', downloadPath: out });
  return { name: created.name ?? '', results: readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Result) };
}

/**
 * Results while a batch runs: the result lines finished so far, read straight from the
 * shards' output logs (shard by shard, in completion order within a shard), and with `follow`
 * the new ones as they land. When the batch's results file appears, the lines not yet sent
 * are taken from it (including the error lines of requests a cancel or expiry left unrun), so
 * a follower sees every request exactly once. A finished batch streams its results file.
 *
 * A batch created through the OpenAI-compatible surface streams in OpenAI's line format from
 * start to end: its log lines rewritten as they are sent (openai-live-line.ts), and once its
 * results are written, the lines not yet sent taken from its output and error files (matched
 * to requests by the index in their `batch_req_<batch>_<index>` id). A batch that ended
 * without results (an OpenAI batch whose input failed validation) has nothing to stream.
 */
import { errorFileId, isTerminal, resultsFileId, type BatchRecord } from '../core/batch.js';
import { shardLogKey } from '../core/blob-keys.js';
import { readLines } from '../lib/line-reader.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Store } from '../store/store.js';
import { openAILiveLine } from './openai-live-line.js';
import { isWholeLine, parseLogLine } from './shard-log.js';

export interface LiveResultsDeps {
  store: Store;
  blobs: BlobStore;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How often `follow` looks for new results. */
  pollMs: number;
}

const NEWLINE = Buffer.from('\n');

export async function* streamResults(
  deps: LiveResultsDeps,
  first: BatchRecord,
  options: { follow: boolean; signal: AbortSignal },
): AsyncGenerator<Buffer> {
  const { store, blobs } = deps;
  const sent = new Uint8Array(first.requestCount);
  const offsets = new Map<number, number>();
  let batch: BatchRecord | undefined = first;
  while (batch && !batch.resultsBlobKey && !isTerminal(batch.state)) {
    const shards = await store.shards.listForBatch(first.id);
    // Every log's size at once: one by one, a batch of a thousand shards waits a thousand turns
    // of an event loop that is busy running the batch.
    const sizes = await Promise.all(shards.map((shard) => blobs.size(shardLogKey(first.id, shard.index))));
    for (const [at, shard] of shards.entries()) {
      const key = shardLogKey(first.id, shard.index);
      const from = offsets.get(shard.index) ?? 0;
      const size = sizes[at];
      if (size === undefined || size <= from) continue;
      let stream;
      try {
        stream = await blobs.read(key, { start: from, end: size - 1 });
      } catch {
        continue; // removed by finalization: the results file has it
      }
      for await (const line of readLines(stream, from)) {
        if (!isWholeLine(line)) break; // a line still being written
        offsets.set(shard.index, line.end);
        const entry = parseLogLine(line.bytes);
        if (!entry || entry.requestIndex >= sent.length || sent[entry.requestIndex] === 1) continue;
        sent[entry.requestIndex] = 1;
        const result = first.openai ? openAILiveLine(first, entry.requestIndex, entry.resultLine, Date.now()) : entry.resultLine;
        yield Buffer.concat([result, NEWLINE]);
      }
    }
    if (!options.follow) return;
    try {
      await deps.sleep(deps.pollMs, options.signal);
    } catch {
      return;
    }
    batch = await store.batches.getById(first.id);
  }
  if (!batch?.resultsBlobKey) return;
  if (batch.openai) {
    yield* openAIRemainder(deps, batch, sent);
    return;
  }
  let index = 0;
  for await (const line of readLines(await blobs.read(batch.resultsBlobKey))) {
    if (sent[index++] !== 1) yield Buffer.concat([line.bytes, NEWLINE]);
  }
}

/** The lines of an OpenAI batch's output and error files whose request was not sent yet. */
async function* openAIRemainder(deps: LiveResultsDeps, batch: BatchRecord, sent: Uint8Array): AsyncGenerator<Buffer> {
  const prefix = `"id":"batch_req_${batch.id}_`;
  for (const fileId of [resultsFileId(batch.id), errorFileId(batch.id)]) {
    const file = await deps.store.files.get(batch.tenantId, fileId);
    if (!file) continue;
    for await (const line of readLines(await deps.blobs.read(file.blobKey))) {
      const text = line.bytes.toString('utf8');
      const at = text.indexOf(prefix);
      const index = at === -1 ? Number.NaN : Number.parseInt(text.slice(at + prefix.length), 10);
      if (Number.isInteger(index) && sent[index] === 1) continue;
      yield Buffer.concat([line.bytes, NEWLINE]);
    }
  }
}

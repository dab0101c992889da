/**
 * The results of a batch created through the OpenAI-compatible surface: two blobs in OpenAI's
 * line format (openai-compat's `openAISuccessLine` / `openAIErrorLine`), each written in its own
 * pass over the shards' output logs, one shard in memory at a time.
 *
 * - Pass 1, the output file: every request whose native result line is a `response`, as
 *   `{id, custom_id, response: {status_code: 200, request_id, body}, error: null}`. Which
 *   requests went there is remembered (one byte per request).
 * - Pass 2, the error file: every other request, in input order: a native `error` line as a
 *   request that failed (`response.status_code` from its status), and a request with no line
 *   (it never ran: cancel, expiry, failure of the batch) as `response: null` with
 *   `error.code` `batch_cancelled` / `batch_expired` / `batch_failed`, its custom_id read back
 *   from the batch's input. A result that appears between the passes is reported as never run,
 *   so every request is in exactly one of the two files and the counts are those lines.
 *
 * The native result lines are `{"key":…,"response":…}` or `{"key":…,"error":…}` (result-line.ts),
 * their key being the custom_id. A pass that fails removes its blob (and pass 2 pass 1's).
 */
import type { BatchRecord, ShardRecord } from '../core/batch.js';
import type { RpcStatus } from '../core/gemini-types.js';
import { addUsage, emptyUsage } from '../core/usage.js';
import { openAIErrorLine, openAISuccessLine, type OpenAIEndpoint, type OutputLineContext } from '../openai-compat/index.js';
import type { BlobStore } from '../store/blob-store.js';
import type { ResultsTally } from './native-results.js';
import { writeResultsBlob, type WrittenBlob } from './results-blob.js';
import { readShardForResults, resultsInOrder } from './shard-results.js';
import { readIdentities } from './unrun-requests.js';

export interface OpenAIResultsRequest {
  /** The output file's blob and the error file's blob. */
  outputKey: string;
  errorKey: string;
  /** The error of a request that never ran (unrun-requests.ts). */
  unrun: RpcStatus;
  /** Unix seconds, for each chat completion's `created`. */
  created: number;
}

export interface OpenAIResults {
  tally: ResultsTally;
  output: WrittenBlob;
  errors: WrittenBlob;
}

/** A native result line, parsed. */
interface NativeResult {
  key?: string;
  response?: unknown;
  error?: { code: number; message: string; status?: string };
}

/** A native result line, or undefined when it is not a JSON object. */
export function parseResult(line: Buffer | undefined): NativeResult | undefined {
  if (!line) return undefined;
  try {
    const parsed: unknown = JSON.parse(line.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function writeOpenAIResults(
  batch: BatchRecord, shards: readonly ShardRecord[], blobs: BlobStore, request: OpenAIResultsRequest,
): Promise<OpenAIResults> {
  const endpoint = (batch.openai?.endpoint ?? '/v1/chat/completions') as OpenAIEndpoint;
  const contextOf = (index: number): OutputLineContext => ({ batchId: batch.id, index, model: batch.model, created: request.created });
  const tally: ResultsTally = { succeeded: 0, failed: 0, usage: emptyUsage() };
  const inOutput = new Uint8Array(batch.requestCount);

  async function* successes(): AsyncGenerator<Buffer> {
    for (const shard of shards) {
      const output = await readShardForResults(blobs, shard);
      addUsage(tally.usage, output.usage);
      const lines: string[] = [];
      let position = -1;
      for await (const logged of resultsInOrder(blobs, shard, output)) {
        position++;
        const result = parseResult(logged);
        if (result?.response === undefined) continue;
        const index = shard.firstRequest + position;
        inOutput[index] = 1;
        tally.succeeded++;
        lines.push(`${openAISuccessLine(result.key ?? '', result.response, endpoint, contextOf(index))}\n`);
      }
      if (lines.length > 0) yield Buffer.from(lines.join(''));
    }
  }

  async function* failures(): AsyncGenerator<Buffer> {
    for (const shard of shards) {
      const output = await readShardForResults(blobs, shard);
      let identities: { key?: string | undefined }[] | undefined;
      const lines: string[] = [];
      let position = -1;
      for await (const logged of resultsInOrder(blobs, shard, output)) {
        position++;
        const index = shard.firstRequest + position;
        if (inOutput[index] === 1) continue;
        tally.failed++;
        const result = parseResult(logged);
        if (result?.error !== undefined && result.response === undefined) {
          lines.push(`${openAIErrorLine(result.key ?? '', result.error, { ...contextOf(index), unrun: false })}\n`);
        } else {
          identities ??= await readIdentities(batch, shard, blobs);
          lines.push(`${openAIErrorLine(identities[position]?.key ?? result?.key ?? '', request.unrun, { ...contextOf(index), unrun: true })}\n`);
        }
      }
      if (lines.length > 0) yield Buffer.from(lines.join(''));
    }
  }

  const output = await writeResultsBlob(blobs, request.outputKey, successes());
  let errors: WrittenBlob;
  try {
    errors = await writeResultsBlob(blobs, request.errorKey, failures());
  } catch (error) {
    await blobs.delete(output.key).catch(() => undefined);
    throw error;
  }
  return { tally, output, errors };
}

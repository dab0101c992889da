/**
 * Reading an OpenAI batch input file into the engine's form, in constant memory: the file is
 * streamed line by line (blank lines skipped), each line parsed and translated by
 * `parseOpenAIBatchLine` (openai-compat), and its native line `{key, request}` (key = custom_id)
 * written to the batch's own input blob while the ShardPlanner records each shard's byte range.
 *
 * Checked on top of each line's own validity: one model for every line (OpenAI's rule: a line
 * naming another is `mismatched_model`), that model served here for the endpoint
 * (`model_not_found` otherwise, on every line naming it), and unique custom_ids
 * (`duplicate_custom_id`, found by hash with DuplicateKeyFinder and confirmed by re-reading only
 * the colliding lines). After the first invalid line nothing more is written (the batch will
 * fail), but every line is still checked, so the errors count them all.
 */
import { Readable } from 'node:stream';
import type { BackendRegistry } from '../backends/registry.js';
import type { BatchKind } from '../core/batch.js';
import { DuplicateKeyFinder } from '../lib/duplicate-key-finder.js';
import { isBlank, readLines } from '../lib/line-reader.js';
import { OpenAIInputError, parseOpenAIBatchLine, type OpenAIEndpoint } from '../openai-compat/index.js';
import type { BlobStore } from '../store/blob-store.js';
import { OpenAILineErrors } from './openai-line-errors.js';
import { estimateCallTokens } from '../core/token-estimate.js';
import { ServiceTierTally } from '../core/service-tier.js';
import { ShardPlanner } from './shard-planner.js';
import { methodOf } from './submit-batch.js';

export interface OpenAIInputPlanRequest {
  batchId: string;
  endpoint: OpenAIEndpoint;
  /** The uploaded input file's blob. */
  sourceKey: string;
  /** The batch's own input blob, written with the native lines. */
  targetKey: string;
  shardSize: number;
}

export interface OpenAIInputPlan {
  planner: ShardPlanner;
  /** The lines' model (without `models/`), '' when no line named one. */
  model: string;
  errors: OpenAILineErrors;
  /** The batch priority the lines' shared `service_tier` maps to (core/service-tier.ts). */
  priority: number;
}

/** Native lines are handed to the blob store in chunks of about this many bytes. */
const CHUNK_BYTES = 1024 * 1024;

export const kindOfEndpoint = (endpoint: OpenAIEndpoint): BatchKind => (endpoint === '/v1/embeddings' ? 'embed' : 'generate');

export async function planOpenAIInput(blobs: BlobStore, registry: BackendRegistry, request: OpenAIInputPlanRequest): Promise<OpenAIInputPlan> {
  const { endpoint } = request;
  const planner = new ShardPlanner(request.batchId, request.shardSize);
  const errors = new OpenAILineErrors();
  const customIds = new DuplicateKeyFinder();
  const tiers = new ServiceTierTally();
  const checkModel = modelChecker(registry, kindOfEndpoint(endpoint));
  let model: { name: string; line: number } | undefined;
  let offset = 0;

  async function* nativeLines(): AsyncGenerator<Buffer> {
    let chunk: string[] = [];
    let chunkBytes = 0;
    for await (const line of readLines(await blobs.read(request.sourceKey))) {
      if (isBlank(line.bytes)) continue;
      let native: string;
      let tokens: number;
      try {
        const parsed = parseOpenAIBatchLine(line.bytes.toString('utf8'), endpoint);
        model ??= { name: parsed.model, line: line.number };
        if (parsed.model !== model.name) {
          throw new OpenAIInputError(
            `The model '${parsed.model}' differs from the model '${model.name}' of line ${model.line}: a batch runs one model, and every line must name it.`,
            { param: 'body.model', code: 'mismatched_model' },
          );
        }
        checkModel(parsed.model);
        customIds.add(parsed.customId, line.number);
        native = `${JSON.stringify(parsed.native)}\n`;
        tokens = estimateCallTokens(parsed.native.request);
        tiers.add((parsed.native.request as { serviceTier?: unknown }).serviceTier);
      } catch (error) {
        errors.add(line.number, error);
        continue;
      }
      if (errors.count > 0) continue;
      const bytes = Buffer.byteLength(native);
      planner.add(offset, offset + bytes, tokens);
      offset += bytes;
      chunk.push(native);
      chunkBytes += bytes;
      if (chunkBytes >= CHUNK_BYTES) {
        yield Buffer.from(chunk.join(''));
        chunk = [];
        chunkBytes = 0;
      }
    }
    if (chunk.length > 0 && errors.count === 0) yield Buffer.from(chunk.join(''));
  }

  await blobs.append(request.targetKey, Readable.from(nativeLines(), { objectMode: false }));
  const candidates = customIds.candidateLines();
  if (candidates.size > 0) await confirmDuplicates(blobs, request.sourceKey, endpoint, candidates, errors);
  if (planner.requestCount === 0 && errors.count === 0) {
    errors.add(null, new OpenAIInputError('The input file has no requests: it is empty.', { code: 'empty_file' }));
  }
  return { planner, model: model?.name ?? '', errors, priority: tiers.priority };
}

/** Whether the model is served here for the batch's kind: throws `model_not_found` if not (one lookup per model). */
function modelChecker(registry: BackendRegistry, kind: BatchKind): (model: string) => void {
  const verdicts = new Map<string, OpenAIInputError | undefined>();
  return (model) => {
    if (!verdicts.has(model)) {
      const resolved = registry.resolve(model);
      const method = methodOf(kind);
      const reason = !resolved
        ? `The model '${model}' does not exist or is not served here.`
        : resolved.info.supportedGenerationMethods.includes(method)
          ? undefined
          : `The model '${model}' does not support ${kind === 'embed' ? '/v1/embeddings' : '/v1/chat/completions'} in a batch (${method}).`;
      verdicts.set(model, reason === undefined ? undefined : new OpenAIInputError(reason, { param: 'body.model', code: 'model_not_found' }));
    }
    const refusal = verdicts.get(model);
    if (refusal) throw refusal;
  };
}

/** Re-reads only the lines whose custom_id hashes collided, and reports the real duplicates. */
async function confirmDuplicates(
  blobs: BlobStore, sourceKey: string, endpoint: OpenAIEndpoint, candidates: Set<number>, errors: OpenAILineErrors,
): Promise<void> {
  const firstLineOf = new Map<string, number>();
  for await (const line of readLines(await blobs.read(sourceKey))) {
    if (!candidates.has(line.number)) continue;
    const { customId } = parseOpenAIBatchLine(line.bytes.toString('utf8'), endpoint);
    const first = firstLineOf.get(customId);
    if (first === undefined) {
      firstLineOf.set(customId, line.number);
      continue;
    }
    errors.add(line.number, new OpenAIInputError(
      `The custom_id '${customId}' is a duplicate of line ${first}'s: the custom_id of each request in a batch must be unique.`,
      { param: 'custom_id', code: 'duplicate_custom_id' },
    ));
  }
}

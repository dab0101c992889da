/**
 * Which kind of batch a command makes or acts on: `generate` (batchGenerateContent) or `embed`
 * (asyncBatchEmbedContent). For a new batch: `--embeddings`, or a model whose
 * supportedGenerationMethods offer embedding and no generation (looked up in models.list, as
 * the client has no models.get). For an existing batch: the Operation metadata's `@type`
 * (`…EmbedContentBatch`), else its model's methods.
 */
import type { ApiClient, BatchKind } from '../client/api-client.js';
import type { BatchOperation, ModelResource } from '../client/wire-types.js';

const EMBED_METHODS = ['asyncBatchEmbedContent', 'batchEmbedContents', 'embedContent'];
const GENERATE_METHODS = ['batchGenerateContent', 'generateContent'];

/** The model's resource from models.list, or undefined when it is not listed (or the list fails). */
export async function findModel(client: ApiClient, model: string): Promise<ModelResource | undefined> {
  const name = `models/${model.replace(/^models\//, '')}`;
  try {
    let token: string | undefined;
    do {
      const page = await client.listModels(1000, token);
      const found = page.items.find((item) => item.name === name);
      if (found) return found;
      token = page.nextPageToken;
    } while (token !== undefined);
  } catch {
    // No list: the create will say whether the model exists.
  }
  return undefined;
}

/** True when the model's methods offer embedding and no generation. */
export function onlyEmbeds(model: ModelResource | undefined): boolean {
  const methods = model?.supportedGenerationMethods ?? [];
  return methods.some((method) => EMBED_METHODS.includes(method)) && !methods.some((method) => GENERATE_METHODS.includes(method));
}

/** The kind of a new batch on `model`. */
export async function kindForModel(client: ApiClient, model: string, embeddings: boolean | undefined): Promise<BatchKind> {
  if (embeddings === true) return 'embed';
  return onlyEmbeds(await findModel(client, model)) ? 'embed' : 'generate';
}

/** The kind of an existing batch. */
export async function kindOfBatch(client: ApiClient, operation: BatchOperation): Promise<BatchKind> {
  const type = (operation.metadata as { '@type'?: unknown } | undefined)?.['@type'];
  if (typeof type === 'string' && /EmbedContentBatch$/.test(type)) return 'embed';
  if (typeof type === 'string' && /GenerateContentBatch$/.test(type)) return 'generate';
  const model = operation.metadata?.model;
  return model ? kindForModel(client, model, false) : 'generate';
}

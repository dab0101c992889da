/**
 * `POST /embeddings` on the OpenAI surface: the body translated into one Gemini embedContent
 * request per input (openai-compat; `dimensions` becomes outputDimensionality), the calls made
 * with bounded concurrency (embeddings-calls.ts), the vectors answered as OpenAI's list in the
 * requested `encoding_format` (float, or base64 float32, which the JS SDK asks for by default).
 * `usage.prompt_tokens` is what the backends report, estimated for those that report nothing.
 */
import type { EmbedContentRequest, EmbedContentResponse } from '../../core/gemini-types.js';
import { estimateCallTokens } from '../../core/token-estimate.js';
import { embeddingsRequestToGemini, geminiToEmbeddingList } from '../../openai-compat/index.js';
import { sendJson } from '../http.js';
import type { Route } from '../router.js';
import { embedEach } from './embeddings-calls.js';
import type { InteractiveKit } from './interactive-routes.js';

export function embeddingsRoute(kit: InteractiveKit): Route {
  return {
    methods: ['POST'],
    pattern: /^\/(?:v1beta\/openai|v1)\/embeddings$/,
    surface: 'openai',
    handler: async (context) => {
      const translated = embeddingsRequestToGemini(await kit.readBody(context));
      const { model, requests, encodingFormat } = translated;
      const responses = await embedEach(requests, (request, signal) => kit.models.embedContent(model, request, signal), kit.clientSignal(context));
      const promptTokens = responses.reduce((sum, response, index) => sum + promptTokensOf(response, requests[index]), 0);
      sendJson(context.response, 200, geminiToEmbeddingList(responses, { model, encodingFormat, promptTokens }));
    },
  };
}

/** The prompt tokens the backend reported for one input, else the estimate. */
function promptTokensOf(response: EmbedContentResponse, request: EmbedContentRequest | undefined): number {
  const usage = response.usageMetadata as { promptTokenCount?: unknown } | undefined;
  if (typeof usage?.promptTokenCount === 'number') return usage.promptTokenCount;
  return request === undefined ? 0 : estimateCallTokens(request);
}

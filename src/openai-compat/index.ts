/**
 * The OpenAI ⇄ Gemini translation of the OpenAI-compatible surface (`/v1beta/openai/`, `/v1/`):
 * chat and embeddings requests into the engine's Gemini requests, Gemini answers into OpenAI's
 * objects and stream chunks, batch input lines into native lines and native results into
 * OpenAI's output and error lines, and AppErrors into OpenAI's error answers. Pure functions
 * over core types: the API routes and the batch service call them.
 */
export { OPENAI_ENDPOINTS, type OpenAIEndpoint } from './endpoints.js';
export { invalidType, invalidValue, missingParameter, OpenAIInputError, paramPath, type OpenAIInputErrorOptions } from './openai-input-error.js';
export { chatRequestToGemini, type TranslatedChatRequest } from './chat-request.js';
export { embeddingsRequestToGemini, type TranslatedEmbeddingsRequest } from './embeddings-request.js';
export { geminiToChatCompletion, type CompletionContext } from './chat-completion.js';
export { createChatChunkEncoder, type ChatChunkEncoder } from './chat-chunk-encoder.js';
export { geminiToEmbeddingList } from './embedding-list.js';
export { toOpenAIError, type OpenAIErrorAnswer, type OpenAIErrorBody } from './openai-error.js';
export { parseOpenAIBatchLine, type OpenAIBatchLine } from './batch-line.js';
export { openAIErrorLine, openAISuccessLine, type OutputLineContext } from './batch-output-line.js';

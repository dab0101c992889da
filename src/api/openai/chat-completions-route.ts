/**
 * `POST /chat/completions` on the OpenAI surface: the body translated into a Gemini request
 * (openai-compat), one generateContent call answered as a `chat.completion`, or with
 * `stream: true` a streamGenerateContent call answered as server-sent chunks (chat-stream.ts).
 * Each completion gets a fresh `chatcmpl-…` id; the model call is aborted if the client leaves.
 */
import { randomId } from '../../lib/ids.js';
import { chatRequestToGemini, createChatChunkEncoder, geminiToChatCompletion, type CompletionContext } from '../../openai-compat/index.js';
import { sendJson } from '../http.js';
import type { Route } from '../router.js';
import { streamChatCompletion } from './chat-stream.js';
import type { InteractiveKit } from './interactive-routes.js';

/** `chatcmpl-` and 29 random characters, as long as OpenAI's own ids. */
const ID_LENGTH = 29;

export function chatCompletionsRoute(kit: InteractiveKit): Route {
  return {
    methods: ['POST'],
    pattern: /^\/(?:v1beta\/openai|v1)\/chat\/completions$/,
    surface: 'openai',
    handler: async (context) => {
      const chat = chatRequestToGemini(await kit.readBody(context));
      const completion: CompletionContext = {
        id: `chatcmpl-${randomId(ID_LENGTH)}`,
        model: chat.model,
        created: Math.floor(Date.now() / 1000),
      };
      const signal = kit.clientSignal(context);
      if (chat.stream) {
        const chunks = kit.models.streamGenerateContent(context.tenantId, chat.model, chat.request, signal);
        await streamChatCompletion(context.response, chunks, createChatChunkEncoder(completion, { includeUsage: chat.includeUsage }));
        return;
      }
      const response = await kit.models.generateContent(context.tenantId, chat.model, chat.request, signal);
      sendJson(context.response, 200, geminiToChatCompletion(response, completion));
    },
  };
}

// Round trip, answers: an upstream server's chat completion read by the OpenAI-compatible backend (into Gemini) and written
// back by batchmode's OpenAI surface (geminiToChatCompletion, createChatChunkEncoder) is equivalent to what the server said.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createChatChunkEncoder, geminiToChatCompletion } from '../../openai-compat/index.js';
import type { ChatResponse } from '../../openai-compat/openai-wire-types.js';
import { fromChatResponse } from './from-chat-response.js';
import { parseChatResponse } from './parse-chat-response.js';
import { loadFixture } from './testing/load-fixture.js';
import { call, useFakeOpenAI } from './testing/openai-test-kit.js';

const openai = useFakeOpenAI();
const SERVER = 'http://127.0.0.1:8000/v1';
const PLAIN = { isEnum: false, includeThoughts: false };

/** The fields a client reads, in a form where equivalent answers are equal (arguments parsed, absent details zero). */
function meaning(completion: unknown): unknown {
  const { id, model, created, choices, usage } = completion as ChatResponse;
  return {
    id,
    model,
    created,
    choices: choices.map((choice) => ({
      index: choice.index,
      content: choice.message.content ?? null,
      toolCalls: (choice.message.tool_calls ?? []).map((toolCall) =>
        toolCall.type === 'function' ? { id: toolCall.id, name: toolCall.function.name, arguments: JSON.parse(toolCall.function.arguments) as unknown } : toolCall,
      ),
      finishReason: choice.finish_reason,
      logprobs: choice.logprobs?.content ?? null,
    })),
    usage: {
      prompt: usage?.prompt_tokens,
      completion: usage?.completion_tokens,
      total: usage?.total_tokens,
      cached: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      reasoning: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    },
  };
}

/** The server's answer `fixture`, through the backend and back out of batchmode's OpenAI surface. */
function relay(fixture: string): { sent: ChatResponse; returned: unknown } {
  const sent = parseChatResponse(loadFixture(fixture), SERVER);
  const gemini = fromChatResponse(sent, PLAIN);
  return { sent, returned: geminiToChatCompletion(gemini, { id: sent.id, model: sent.model, created: sent.created }) };
}

test('text, usage with cached and reasoning tokens, tool calls with their ids and log probabilities come back as the server said', () => {
  for (const fixture of ['chat-completion-openai', 'chat-completion-vllm', 'chat-completion-tool-calls', 'chat-completion-logprobs']) {
    const { sent, returned } = relay(fixture);
    assert.deepEqual(meaning(returned), meaning(sent), fixture);
  }
});

test('finish reasons: stop, length, tool_calls and content_filter survive the trip', () => {
  const base = loadFixture<ChatResponse>('chat-completion-openai');
  for (const finishReason of ['stop', 'length', 'content_filter'] as const) {
    const sent = { ...base, choices: [{ ...base.choices[0]!, finish_reason: finishReason }] };
    const returned = geminiToChatCompletion(fromChatResponse(parseChatResponse(sent, SERVER), PLAIN), { id: sent.id, model: sent.model, created: sent.created });
    assert.equal((returned as ChatResponse).choices[0]?.finish_reason, finishReason);
  }
  // What does not survive: system_fingerprint, service_tier and annotations have no Gemini field, and a refusal comes
  // back as content (Gemini has only text).
});

test('a streamed answer through the backend and the chunk encoder accumulates to what the server streamed', async () => {
  for (const fixture of ['chat-completion-chunks', 'chat-completion-chunks-tool-calls']) {
    const chunks = loadFixture<Record<string, unknown>[]>(fixture);
    openai.server.setHandler(() => ({ sse: [...chunks, '[DONE]'] }));
    const encoder = createChatChunkEncoder({ id: 'chatcmpl-x', model: 'm', created: 1 }, { includeUsage: true });
    const out: Record<string, unknown>[] = [];
    const stream = openai.backendFor().streamGenerateContent!({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, call());
    for await (const response of stream) out.push(...encoder.chunk(response));
    out.push(...encoder.finish());
    assert.deepEqual(accumulate(out), accumulate(chunks), fixture);
  }
});

/** What a client assembles from chunks: per choice the text, the calls (arguments parsed) and the finish reason; the usage. */
interface StreamedCall {
  id?: string;
  name: string;
  arguments: string;
}

function accumulate(chunks: readonly Record<string, unknown>[]): unknown {
  const choices = new Map<number, { text: string; calls: Map<number, StreamedCall>; finish: unknown }>();
  let usage: unknown;
  for (const chunk of chunks as unknown as { choices?: { index: number; delta?: { content?: string | null; tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] }; finish_reason?: unknown }[]; usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null }[]) {
    if (chunk.usage) usage = { prompt: chunk.usage.prompt_tokens, completion: chunk.usage.completion_tokens, total: chunk.usage.total_tokens };
    for (const choice of chunk.choices ?? []) {
      const state = choices.get(choice.index) ?? { text: '', calls: new Map<number, StreamedCall>(), finish: null };
      choices.set(choice.index, state);
      state.text += choice.delta?.content ?? '';
      for (const call of choice.delta?.tool_calls ?? []) {
        const known: StreamedCall = state.calls.get(call.index) ?? { name: '', arguments: '' };
        if (call.id) known.id = call.id;
        known.name += call.function?.name ?? '';
        known.arguments += call.function?.arguments ?? '';
        state.calls.set(call.index, known);
      }
      if (choice.finish_reason) state.finish = choice.finish_reason;
    }
  }
  return {
    choices: [...choices.entries()].map(([index, state]) => ({
      index,
      text: state.text,
      calls: [...state.calls.values()].map((known) => ({ id: known.id, name: known.name, arguments: JSON.parse(known.arguments || '{}') as unknown })),
      finish: state.finish,
    })),
    usage,
  };
}

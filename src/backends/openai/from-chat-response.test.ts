import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendError } from '../backend.js';
import { fromChatResponse } from './from-chat-response.js';
import type { ChatResponse } from '../../openai-compat/openai-wire-types.js';
import { parseChatResponse } from './parse-chat-response.js';
import { loadFixture } from './testing/load-fixture.js';
import type { ResponsePlan } from './to-chat-request.js';

const SERVER = 'http://127.0.0.1:8000/v1';
const PLAIN: ResponsePlan = { isEnum: false, includeThoughts: false };

/** A recorded answer, checked the way the backend checks it. */
const fixture = (name: string): ChatResponse => parseChatResponse(loadFixture(name), SERVER);

test('a vLLM completion: text candidate, STOP, usage, modelVersion and responseId; reasoning dropped unless asked for', () => {
  const response = fromChatResponse(fixture('chat-completion-vllm'), PLAIN);
  assert.deepEqual(response, {
    candidates: [{ content: { role: 'model', parts: [{ text: 'The capital of France is Paris.' }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 18, candidatesTokenCount: 27, totalTokenCount: 45, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 18 }] },
    modelVersion: 'Qwen/Qwen3-8B',
    responseId: 'chatcmpl-3f6c1a2b9d8e4f7a8b0c1d2e3f4a5b6c',
  });
  assert.equal('continuationToken' in response, false);
  const withThoughts = fromChatResponse(fixture('chat-completion-vllm'), { ...PLAIN, includeThoughts: true });
  assert.deepEqual(withThoughts.candidates?.[0]?.content?.parts, [
    { text: 'The user asks for the capital of France. That is Paris.', thought: true },
    { text: 'The capital of France is Paris.' },
  ]);
  const ollama = fromChatResponse(fixture('chat-completion-ollama'), { ...PLAIN, includeThoughts: true });
  assert.deepEqual(ollama.candidates?.[0]?.content?.parts, [{ text: 'The user greeted me, so I greet back.', thought: true }, { text: 'Hello! How can I help you today?' }]);
});

test('usage: cached prompt tokens and reasoning tokens are reported apart; candidates exclude reasoning', () => {
  const { usageMetadata } = fromChatResponse(fixture('chat-completion-openai'), PLAIN);
  assert.deepEqual(usageMetadata, {
    promptTokenCount: 1311,
    candidatesTokenCount: 18,
    totalTokenCount: 1521,
    cachedContentTokenCount: 1152,
    thoughtsTokenCount: 192,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1311 }],
  });
  const zeros = fromChatResponse(fixture('chat-completion-logprobs'), PLAIN).usageMetadata;
  assert.deepEqual(Object.keys(zeros ?? {}).sort(), ['candidatesTokenCount', 'promptTokenCount', 'promptTokensDetails', 'totalTokenCount'], 'zero counts are left out');
  const noUsage = fixture('chat-completion-vllm');
  delete noUsage.usage;
  assert.equal('usageMetadata' in fromChatResponse(noUsage, PLAIN), false);
});

test('finish reasons: stop→STOP, length→MAX_TOKENS, content_filter→SAFETY, tool_calls→STOP, anything else→OTHER', () => {
  const expected: [string | null, string][] = [
    ['stop', 'STOP'],
    ['length', 'MAX_TOKENS'],
    ['content_filter', 'SAFETY'],
    ['tool_calls', 'STOP'],
    ['function_call', 'STOP'],
    ['abort', 'OTHER'],
    [null, 'OTHER'],
  ];
  for (const [finishReason, geminiReason] of expected) {
    const completion = fixture('chat-completion-vllm');
    completion.choices[0]!.finish_reason = finishReason;
    assert.equal(fromChatResponse(completion, PLAIN).candidates?.[0]?.finishReason, geminiReason, String(finishReason));
  }
});

test('tool_calls become functionCall parts with their ids and parsed args', () => {
  const response = fromChatResponse(fixture('chat-completion-tool-calls'), PLAIN);
  assert.deepEqual(response.candidates, [
    {
      content: {
        role: 'model',
        parts: [
          { functionCall: { id: 'chatcmpl-tool-5c0a6a3e1f2b4d8e9a7b6c5d4e3f2a1b', name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } } },
          { functionCall: { id: 'chatcmpl-tool-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b', name: 'get_time', args: { timezone: 'Europe/Paris' } } },
        ],
      },
      finishReason: 'STOP',
      index: 0,
    },
  ]);
});

test('arguments that are not a JSON object give MALFORMED_FUNCTION_CALL and no calls; empty arguments mean {}', () => {
  for (const broken of ['{"city": "Par', '[1,2]', '"Paris"']) {
    const completion = fixture('chat-completion-tool-calls');
    const call = completion.choices[0]!.message.tool_calls![1]!;
    if (call.type === 'function') call.function.arguments = broken;
    const candidate = fromChatResponse(completion, PLAIN).candidates?.[0];
    assert.equal(candidate?.finishReason, 'MALFORMED_FUNCTION_CALL', broken);
    assert.equal(candidate?.content?.parts, undefined);
    assert.match(String(candidate?.finishMessage), /^Malformed function call: get_time\(/);
  }
  const completion = fixture('chat-completion-tool-calls');
  const call = completion.choices[0]!.message.tool_calls![0]!;
  if (call.type === 'function') call.function.arguments = '';
  assert.deepEqual(fromChatResponse(completion, PLAIN).candidates?.[0]?.content?.parts?.[0]?.functionCall?.args, {});
});

test('an enum answer is unwrapped from its JSON string; several choices become candidates in index order', () => {
  const completion = fixture('chat-completion-vllm');
  const first = completion.choices[0]!;
  completion.choices = [
    { ...first, index: 1, message: { ...first.message, content: '"green"' } },
    { ...first, index: 0, message: { ...first.message, content: '"red"' } },
  ];
  const response = fromChatResponse(completion, { isEnum: true, includeThoughts: false });
  assert.deepEqual(
    response.candidates?.map((candidate) => [candidate.index, candidate.content?.parts?.[0]?.text]),
    [
      [0, 'red'],
      [1, 'green'],
    ],
  );
});

test('logprobs become logprobsResult (chosen and top candidates) and avgLogprobs', () => {
  const candidate = fromChatResponse(fixture('chat-completion-logprobs'), PLAIN).candidates?.[0];
  assert.equal(candidate?.avgLogprobs, (-0.0001 + -0.2001) / 2);
  assert.deepEqual(candidate?.logprobsResult, {
    topCandidates: [
      { candidates: [{ token: 'Yes', logProbability: -0.0001 }, { token: 'No', logProbability: -9.25 }] },
      { candidates: [{ token: '.', logProbability: -0.2001 }, { token: '!', logProbability: -1.7 }] },
    ],
    chosenCandidates: [
      { token: 'Yes', logProbability: -0.0001 },
      { token: '.', logProbability: -0.2001 },
    ],
  });
});

test('a 2xx body that is not a chat completion is INTERNAL and not retried', () => {
  for (const body of ['<html>', { choices: 'none' }, { choices: [{ message: { content: 42 } }] }, { error: { message: 'upstream exploded' } }]) {
    assert.throws(
      () => parseChatResponse(body, SERVER),
      (error: unknown) => error instanceof BackendError && error.status === 'INTERNAL' && !error.retryable && error.message.includes(SERVER),
      JSON.stringify(body),
    );
  }
  assert.throws(() => parseChatResponse({ error: { message: 'upstream exploded' } }, SERVER), /upstream exploded/);
});

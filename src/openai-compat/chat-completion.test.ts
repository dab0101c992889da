// Tests of Gemini response → chat.completion: choices, tool calls, finish reasons, logprobs, usage, blocked prompts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { geminiToChatCompletion } from './chat-completion.js';

const context = { id: 'chatcmpl-1', model: 'gemini-2.5-flash', created: 1_700_000_000 };

describe('geminiToChatCompletion', () => {
  test('a text answer: one choice, thoughts left out, usage with reasoning and cached tokens', () => {
    const completion = geminiToChatCompletion(
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Let me think', thought: true }, { text: 'Par' }, { text: 'is.' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 3, thoughtsTokenCount: 5, cachedContentTokenCount: 4, totalTokenCount: 18 },
        modelVersion: 'gemini-2.5-flash-001',
      },
      context,
    );
    assert.deepEqual(completion, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 8,
        total_tokens: 18,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 5 },
      },
    });
  });

  test('function calls become tool_calls with JSON arguments, content null and finish_reason tool_calls; ids are kept or derived', () => {
    const response = {
      candidates: [
        {
          content: { role: 'model', parts: [{ functionCall: { id: 'gemini-id', name: 'weather', args: { city: 'Paris' } } }, { functionCall: { name: 'time' } }] },
          finishReason: 'STOP',
        },
      ],
    };
    const completion = geminiToChatCompletion(response, context) as { choices: { message: { content: unknown; tool_calls: { id: string }[] }; finish_reason: string }[] };
    const [choice] = completion.choices;
    assert.equal(choice?.message.content, null);
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.deepEqual(choice?.message.tool_calls[0], { id: 'gemini-id', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } });
    const derived = choice?.message.tool_calls[1];
    assert.match(derived?.id ?? '', /^call_[0-9a-f]{24}$/);
    assert.deepEqual({ ...derived, id: 'x' }, { id: 'x', type: 'function', function: { name: 'time', arguments: '{}' } });
    const again = geminiToChatCompletion(response, context) as typeof completion;
    assert.equal(again.choices[0]?.message.tool_calls[1]?.id, derived?.id, 'the same response gets the same ids');
    const other = geminiToChatCompletion(response, { ...context, id: 'chatcmpl-2' }) as typeof completion;
    assert.notEqual(other.choices[0]?.message.tool_calls[1]?.id, derived?.id, 'another completion gets other ids');
  });

  test('finish reasons: MAX_TOKENS → length, blocking reasons → content_filter, others → stop; candidates sorted by index', () => {
    const reasons = ['MAX_TOKENS', 'SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'OTHER', 'MALFORMED_FUNCTION_CALL'];
    const completion = geminiToChatCompletion(
      { candidates: reasons.map((finishReason, index) => ({ content: { parts: [{ text: 'x' }] }, finishReason, index: reasons.length - 1 - index })) },
      context,
    ) as { choices: { index: number; finish_reason: string }[] };
    assert.deepEqual(completion.choices.map((choice) => choice.index), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(completion.choices.map((choice) => choice.finish_reason).reverse(), ['length', 'content_filter', 'content_filter', 'content_filter', 'content_filter', 'content_filter', 'stop', 'stop']);
  });

  test('logprobs: chosen tokens with their top alternatives and UTF-8 bytes', () => {
    const completion = geminiToChatCompletion(
      {
        candidates: [
          {
            content: { parts: [{ text: 'Hé' }] },
            finishReason: 'STOP',
            avgLogprobs: -0.3,
            logprobsResult: {
              chosenCandidates: [{ token: 'H', logProbability: -0.1 }, { token: 'é', logProbability: -0.5 }],
              topCandidates: [{ candidates: [{ token: 'H', logProbability: -0.1 }, { token: 'h', logProbability: -2 }] }, { candidates: [{ token: 'é', logProbability: -0.5 }] }],
            },
          },
        ],
      },
      context,
    ) as { choices: { logprobs: unknown }[] };
    assert.deepEqual(completion.choices[0]?.logprobs, {
      content: [
        { token: 'H', logprob: -0.1, bytes: [72], top_logprobs: [{ token: 'H', logprob: -0.1, bytes: [72] }, { token: 'h', logprob: -2, bytes: [104] }] },
        { token: 'é', logprob: -0.5, bytes: [195, 169], top_logprobs: [{ token: 'é', logprob: -0.5, bytes: [195, 169] }] },
      ],
      refusal: null,
    });
  });

  test('a blocked prompt is one empty content_filter choice; no candidates and no block is no choice; no usage is zeros', () => {
    const blocked = geminiToChatCompletion({ promptFeedback: { blockReason: 'SAFETY' } }, context) as { choices: unknown[]; usage: unknown };
    assert.deepEqual(blocked.choices, [{ index: 0, message: { role: 'assistant', content: null, refusal: null }, logprobs: null, finish_reason: 'content_filter' }]);
    assert.deepEqual(blocked.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
    assert.deepEqual((geminiToChatCompletion({}, context) as { choices: unknown[] }).choices, []);
  });
});

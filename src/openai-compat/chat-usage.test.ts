// Tests of the usage mappings, both directions: reasoning counted inside completion_tokens on OpenAI's side, apart on Gemini's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromChatUsage, toChatUsage } from './chat-usage.js';

test('Gemini → OpenAI: completion = candidates + thoughts, prompt includes tool-use prompt tokens, details always present', () => {
  assert.deepEqual(toChatUsage({ promptTokenCount: 10, toolUsePromptTokenCount: 2, candidatesTokenCount: 5, thoughtsTokenCount: 7, cachedContentTokenCount: 3, totalTokenCount: 24 }), {
    prompt_tokens: 12,
    completion_tokens: 12,
    total_tokens: 24,
    prompt_tokens_details: { cached_tokens: 3 },
    completion_tokens_details: { reasoning_tokens: 7 },
  });
  assert.deepEqual(toChatUsage({ promptTokenCount: 4, candidatesTokenCount: 1 }).total_tokens, 5, 'a missing total is the sum');
});

test('OpenAI → Gemini → OpenAI gives back the same counts', () => {
  const usage = { prompt_tokens: 1311, completion_tokens: 210, total_tokens: 1521, prompt_tokens_details: { cached_tokens: 1152 }, completion_tokens_details: { reasoning_tokens: 192 } };
  assert.deepEqual(toChatUsage(fromChatUsage(usage)), usage);
  assert.equal(fromChatUsage(null), undefined);
});

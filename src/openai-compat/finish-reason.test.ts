// Tests of the finish-reason tables, both directions, and that they are each other's inverse where they can be.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toFinishReason, toOpenAIFinishReason } from './finish-reason.js';

test('OpenAI → Gemini: tool calls end a turn normally; unknown values are OTHER', () => {
  assert.deepEqual(['stop', 'length', 'content_filter', 'tool_calls', 'function_call', 'abort', null].map(toFinishReason), ['STOP', 'MAX_TOKENS', 'SAFETY', 'STOP', 'STOP', 'OTHER', 'OTHER']);
});

test('Gemini → OpenAI: STOP is tool_calls with calls; blocking reasons are content_filter; the rest stop', () => {
  assert.equal(toOpenAIFinishReason('STOP', false), 'stop');
  assert.equal(toOpenAIFinishReason('STOP', true), 'tool_calls');
  assert.equal(toOpenAIFinishReason(undefined, true), 'tool_calls');
  assert.equal(toOpenAIFinishReason('MAX_TOKENS', true), 'length');
  for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']) assert.equal(toOpenAIFinishReason(reason, false), 'content_filter', reason);
  for (const reason of ['OTHER', 'LANGUAGE', 'MALFORMED_FUNCTION_CALL', 'FINISH_REASON_UNSPECIFIED']) assert.equal(toOpenAIFinishReason(reason, false), 'stop', reason);
});

test('each OpenAI finish reason comes back from its Gemini reason', () => {
  for (const reason of ['stop', 'length', 'content_filter'] as const) assert.equal(toOpenAIFinishReason(toFinishReason(reason), false), reason);
  assert.equal(toOpenAIFinishReason(toFinishReason('tool_calls'), true), 'tool_calls');
});

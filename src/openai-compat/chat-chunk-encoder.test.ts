// Tests of the streaming encoder: role first, content and tool call deltas, finish chunks, include_usage.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createChatChunkEncoder } from './chat-chunk-encoder.js';

const context = { id: 'chatcmpl-s', model: 'gemini-2.5-flash', created: 1_700_000_000 };
const head = { id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gemini-2.5-flash' };

describe('createChatChunkEncoder', () => {
  test('text: the first chunk carries the role, then deltas, then a finish chunk; thoughts are not content; no usage field without include_usage', () => {
    const encoder = createChatChunkEncoder(context, { includeUsage: false });
    const chunks = [
      ...encoder.chunk({ candidates: [{ content: { role: 'model', parts: [{ text: 'hmm', thought: true }] }, index: 0 }] }),
      ...encoder.chunk({ candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, index: 0 }] }),
      ...encoder.chunk({ candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 } }),
      ...encoder.finish(),
    ];
    assert.deepEqual(chunks, [
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { content: 'lo' }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] },
    ]);
  });

  test('tool calls: one delta per call with its index, id, name and whole arguments; finish_reason tool_calls', () => {
    const encoder = createChatChunkEncoder(context, { includeUsage: false });
    const chunks = [
      ...encoder.chunk({ candidates: [{ content: { parts: [{ functionCall: { id: 'a', name: 'f', args: { x: 1 } } }] } }] }),
      ...encoder.chunk({ candidates: [{ content: { parts: [{ functionCall: { id: 'b', name: 'g' } }] }, finishReason: 'STOP' }] }),
    ];
    assert.deepEqual(chunks, [
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }] }, logprobs: null, finish_reason: null }] },
      { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] },
    ]);
    assert.deepEqual(encoder.finish(), []);
  });

  test('include_usage: usage null on every chunk, a last chunk with no choices and the final usage; open choices are closed', () => {
    const encoder = createChatChunkEncoder(context, { includeUsage: true });
    const first = encoder.chunk({
      candidates: [
        { content: { parts: [{ text: 'A' }] }, index: 0 },
        { content: { parts: [{ text: 'B' }] }, index: 1, finishReason: 'MAX_TOKENS' },
      ],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1, totalTokenCount: 5 },
    });
    assert.deepEqual(first, [
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: 'A' }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 1, delta: { role: 'assistant', content: 'B' }, logprobs: null, finish_reason: null }], usage: null },
      { ...head, choices: [{ index: 1, delta: {}, logprobs: null, finish_reason: 'length' }], usage: null },
    ]);
    assert.deepEqual(encoder.chunk({ usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, thoughtsTokenCount: 1, totalTokenCount: 7 } }), []);
    assert.deepEqual(encoder.finish(), [
      { ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
      {
        ...head,
        choices: [],
        usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 1 } },
      },
    ]);
  });

  test('a candidate that finishes without having said anything still gets its role', () => {
    const encoder = createChatChunkEncoder(context, { includeUsage: false });
    assert.deepEqual(encoder.chunk({ candidates: [{ finishReason: 'SAFETY', index: 0 }] }), [
      { ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: 'content_filter' }] },
    ]);
    assert.deepEqual(encoder.chunk({ candidates: [{ content: { parts: [{ text: 'late' }] }, index: 0 }] }), [], 'nothing after the finish');
  });
});

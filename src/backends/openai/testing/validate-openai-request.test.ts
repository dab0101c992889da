import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateChatRequest, validateEmbeddingRequest } from './validate-openai-request.js';

const valid = {
  model: 'm',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_0', content: '{"temperature":21}' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
  tool_choice: { type: 'function', function: { name: 'get_weather' } },
  top_k: 40,
  logprobs: true,
  top_logprobs: 2,
  response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } },
};

test('a well-formed chat body passes; each kind of mistake a strict server rejects is reported', () => {
  assert.deepEqual(validateChatRequest(valid), []);
  const broken: [Record<string, unknown>, RegExp][] = [
    [{ ...valid, maxTokens: 5 }, /unknown key maxTokens/],
    [{ ...valid, model: undefined }, /model is required/],
    [{ ...valid, messages: [] }, /messages must be a non-empty list/],
    [{ ...valid, messages: [{ role: 'model', content: 'x' }] }, /role must be one of/],
    [{ ...valid, messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_9', content: '{}' }] }, /answers no tool_calls id/],
    [{ ...valid, messages: [{ role: 'assistant', content: null }] }, /needs content or tool_calls/],
    [{ ...valid, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] }, /image data URL/],
    [{ ...valid, messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] }, /JSON object as a string/],
    [{ ...valid, logprobs: undefined }, /top_logprobs requires logprobs/],
    [{ ...valid, temperature: 3 }, /temperature must be a number in \[0, 2\]/],
    [{ ...valid, tool_choice: { type: 'function', function: { name: 'nope' } } }, /tool_choice must be/],
    [{ ...valid, tools: undefined, tool_choice: 'auto' }, /tool_choice is only allowed with tools/],
    [{ ...valid, response_format: { type: 'json_schema', json_schema: { schema: {} } } }, /json_schema.name is required/],
    [{ ...valid, stream_options: { include_usage: true } }, /stream_options is only allowed with stream: true/],
  ];
  for (const [body, problem] of broken) {
    const problems = validateChatRequest(body);
    assert.ok(problems.some((found) => problem.test(found)), `${problem} in ${JSON.stringify(problems)}`);
  }
});

test('embedding bodies: only EmbeddingCreateParams keys, a non-empty input, sane dimensions', () => {
  assert.deepEqual(validateEmbeddingRequest({ model: 'e', input: 'hello', dimensions: 8, encoding_format: 'float' }), []);
  assert.match(validateEmbeddingRequest({ model: 'e', input: 'hello', task_type: 'x' }).join(), /unknown key task_type/);
  assert.match(validateEmbeddingRequest({ model: 'e', input: '' }).join(), /input must be/);
  assert.match(validateEmbeddingRequest({ model: 'e', input: 'x', dimensions: 0 }).join(), /dimensions must be/);
});

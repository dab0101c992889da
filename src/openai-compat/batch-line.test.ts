// Tests of OpenAI batch input lines: checks of custom_id/method/url/body, translation into native lines the engine's parser accepts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBatchLine } from '../core/wire-schema/request-lines.js';
import { parseOpenAIBatchLine } from './batch-line.js';
import { refusal } from './testing/refusal.js';

const chatLine = (fields: Record<string, unknown> = {}, body: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: 'req-1',
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }], ...body },
    ...fields,
  });

describe('parseOpenAIBatchLine', () => {
  test('a chat line becomes a native {key, request} line that parseBatchLine accepts as it is', () => {
    const line = parseOpenAIBatchLine(
      chatLine({}, {
        model: 'models/gemini-2.5-flash',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
          { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '{"b":2}' },
        ],
        temperature: 0.2,
        max_tokens: 50,
        stop: 'END',
        response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } },
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'integer' } } } } }],
        tool_choice: 'auto',
        reasoning_effort: 'low',
        logprobs: true,
        top_logprobs: 2,
      }),
      '/v1/chat/completions',
    );
    assert.equal(line.customId, 'req-1');
    assert.equal(line.model, 'gemini-2.5-flash');
    assert.equal(line.native.key, 'req-1');
    const parsed = parseBatchLine(JSON.stringify(line.native), 'generate');
    assert.deepEqual(parsed, { key: 'req-1', request: line.native.request }, 'the native parser accepts it unchanged');
  });

  test('an embeddings line embeds one input, a string or a one-element array; parseBatchLine accepts it', () => {
    for (const input of ['text', ['text']]) {
      const text = JSON.stringify({ custom_id: 'e1', method: 'POST', url: '/v1/embeddings', body: { model: 'gemini-embedding-001', input, dimensions: 8 } });
      const line = parseOpenAIBatchLine(text, '/v1/embeddings');
      assert.deepEqual(line, { customId: 'e1', model: 'gemini-embedding-001', native: { key: 'e1', request: { content: { parts: [{ text: 'text' }] }, outputDimensionality: 8 } } });
      assert.deepEqual(parseBatchLine(JSON.stringify(line.native), 'embed'), line.native);
    }
    const two = refusal(() => parseOpenAIBatchLine(JSON.stringify({ custom_id: 'e', method: 'POST', url: '/v1/embeddings', body: { model: 'e', input: ['a', 'b'] } }), '/v1/embeddings'));
    assert.equal(two.param, 'body.input');
    assert.match(two.message, /one input/);
  });

  test('url may be the endpoint on Google\'s root; a byte order mark and unknown line fields are accepted', () => {
    const line = parseOpenAIBatchLine(`\uFEFF${chatLine({ url: '/v1beta/openai/chat/completions', extra: 1 })}`, '/v1/chat/completions');
    assert.equal(line.customId, 'req-1');
  });

  test('bad lines are refused with OpenAI codes naming the field', () => {
    const check = (text: string, param: string | null, code: string) => {
      const error = refusal(() => parseOpenAIBatchLine(text, '/v1/chat/completions'));
      assert.deepEqual([error.param, error.code], [param, code], text);
      return error;
    };
    check('{"custom_id": ', null, 'invalid_json');
    check('[1]', null, 'invalid_json');
    check(`${'['.repeat(600)}${']'.repeat(600)}`, null, 'invalid_json');
    check(chatLine({ custom_id: undefined }), 'custom_id', 'missing_required_parameter');
    check(chatLine({ custom_id: '' }), 'custom_id', 'empty_string');
    check(chatLine({ custom_id: 7 }), 'custom_id', 'invalid_type');
    check(chatLine({ method: 'GET' }), 'method', 'invalid_method');
    check(chatLine({ method: undefined }), 'method', 'missing_required_parameter');
    check(chatLine({ url: '/v1/embeddings' }), 'url', 'invalid_url');
    check(chatLine({ url: '/v1/completions' }), 'url', 'invalid_url');
    check(chatLine({ body: undefined }), 'body', 'missing_required_parameter');
    check(chatLine({}, { model: undefined }), 'body.model', 'missing_required_parameter');
    const hot = check(chatLine({}, { temperature: 'hot' }), 'body.temperature', 'invalid_type');
    assert.match(hot.message, /'body\.temperature'/);
    check(chatLine({}, { stream: true }), 'body.stream', 'invalid_value');
    check(chatLine({}, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] }), 'body.messages[0].content[0].image_url.url', 'invalid_value');
  });
});

// Round trip, requests: an OpenAI chat request taken in by batchmode's OpenAI surface (chatRequestToGemini) and sent on by
// the OpenAI-compatible backend reaches the upstream server equivalent to what the client sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatRequestToGemini } from '../../openai-compat/index.js';
import { call, useFakeOpenAI } from './testing/openai-test-kit.js';

const openai = useFakeOpenAI();

/** What the upstream server receives for `body`, sent by a client to batchmode's OpenAI surface. */
async function relay(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { model, request } = chatRequestToGemini(body);
  await openai.backendFor().generateContent(request, { ...call(), model });
  return openai.onlyRequest();
}

const schema = { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } }, required: ['city'] };

test('a full conversation with system, tools, tool calls and results, images, sampling and JSON schema arrives as sent', async () => {
  const sent = {
    model: 'gemini-2.5-flash',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Weather in Paris and the time?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: '{"celsius":21}' },
      { role: 'tool', tool_call_id: 'call_b', content: '{"time":"12:00"}' },
      { role: 'assistant', content: '21°C at noon.' },
      { role: 'user', content: [{ type: 'text', text: 'And what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    ],
    temperature: 0.4,
    top_p: 0.9,
    max_tokens: 200,
    stop: ['END', '###'],
    n: 2,
    seed: 7,
    presence_penalty: 0.1,
    frequency_penalty: 0.2,
    logprobs: true,
    top_logprobs: 2,
    response_format: { type: 'json_schema', json_schema: { name: 'response', schema } },
    tools: [
      { type: 'function', function: { name: 'weather', description: 'Current weather', parameters: schema } },
      { type: 'function', function: { name: 'time', description: 'Local time', parameters: { type: 'object', properties: {} } } },
    ],
    tool_choice: 'auto',
  };
  assert.deepEqual(await relay(sent), sent);
});

test('tool_choice none, required and a single named function arrive as sent; JSON mode too', async () => {
  const base = {
    model: 'gemini-2.5-flash',
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'weather', parameters: schema } }],
  };
  for (const tool_choice of ['none', 'required', { type: 'function', function: { name: 'weather' } }]) {
    openai.server.requests.length = 0;
    assert.deepEqual(await relay({ ...base, tool_choice }), { ...base, tool_choice });
  }
  openai.server.requests.length = 0;
  const json = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } };
  assert.deepEqual(await relay(json), json);
});

test('what cannot round-trip exactly arrives equivalent, in the backend\'s canonical spelling', async () => {
  const sent = {
    model: 'models/gemini-2.5-flash',
    messages: [
      { role: 'system', content: 'One.' },
      { role: 'developer', content: 'Two.' },
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ping', arguments: '{ "n" : 1 }' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'pong' },
    ],
    max_completion_tokens: 50,
    response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema } },
    tools: [{ type: 'function', function: { name: 'ping', strict: true } }, { type: 'function', function: { name: 'other' } }],
    tool_choice: { type: 'function', function: { name: 'ping' } },
    reasoning_effort: 'low',
    user: 'someone',
  };
  assert.deepEqual(await relay(sent), {
    // `models/` is dropped: the route's model is named without it.
    model: 'gemini-2.5-flash',
    messages: [
      // Gemini has one systemInstruction: system and developer messages arrive as one system message.
      { role: 'system', content: 'One.\nTwo.' },
      // Text-only content arrives as one string, parts joined with a newline.
      { role: 'user', content: 'a\nb' },
      // An empty text beside tool calls is dropped; arguments are re-serialised.
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ping', arguments: '{"n":1}' } }] },
      // A plain-text tool result travels as Gemini's {output} object.
      { role: 'tool', tool_call_id: 'c1', content: '{"output":"pong"}' },
    ],
    // max_completion_tokens arrives as max_tokens, which every OpenAI-compatible server reads.
    max_tokens: 50,
    // The schema's name and strict have no Gemini field: the backend names it `response`, not strict.
    response_format: { type: 'json_schema', json_schema: { name: 'response', schema } },
    // A function without parameters gets an empty object schema; a named tool_choice narrows the tools to that function
    // (Gemini's allowedFunctionNames); `strict` has no Gemini field.
    tools: [{ type: 'function', function: { name: 'ping', parameters: { type: 'object', properties: {} } } }],
    tool_choice: { type: 'function', function: { name: 'ping' } },
    // reasoning_effort becomes a Gemini thinking budget, which OpenAI-compatible servers have no field for; `user` is
    // not carried.
  });
});

test('images by http(s) URL become Gemini fileData, which the backend sends only once resolved to bytes', async () => {
  const { request } = chatRequestToGemini({
    model: 'gemini-2.5-flash',
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }],
  });
  assert.deepEqual(request.contents[0]?.parts, [{ fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } }]);
  const resolved = await openai
    .backendFor({ resolveFile: async (fileUri) => ({ mimeType: 'image/png', data: Buffer.from(`bytes of ${fileUri}`) }) })
    .generateContent(request, call());
  assert.ok(resolved.candidates !== undefined);
  const [message] = openai.onlyRequest().messages as { content: { image_url: { url: string } }[] }[];
  assert.equal(message?.content[0]?.image_url.url, `data:image/png;base64,${Buffer.from('bytes of https://example.com/cat.png').toString('base64')}`);
});

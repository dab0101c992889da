// Tests of the chat request translation: messages and roles, sampling, response_format, reasoning, streaming switches, refusals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chatRequestToGemini } from './chat-request.js';
import { refusal } from './testing/refusal.js';

const user = (content: unknown) => ({ role: 'user', content });

describe('chatRequestToGemini', () => {
  test('system and developer messages form the systemInstruction; user and assistant turns keep their order', () => {
    const translated = chatRequestToGemini({
      model: 'models/gemini-2.5-flash',
      messages: [
        { role: 'system', content: 'You are terse.' },
        user('Hello'),
        { role: 'assistant', content: 'Hi.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        user([{ type: 'text', text: 'Capital of France?' }, { type: 'text', text: 'One word.' }]),
      ],
    });
    assert.deepEqual(translated, {
      model: 'gemini-2.5-flash',
      stream: false,
      includeUsage: false,
      request: {
        systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'Hello' }] },
          { role: 'model', parts: [{ text: 'Hi.' }] },
          { role: 'user', parts: [{ text: 'Capital of France?' }, { text: 'One word.' }] },
        ],
      },
    });
  });

  test('assistant tool calls become functionCall parts; tool messages become one turn of functionResponses named by the call', () => {
    const { request } = chatRequestToGemini({
      model: 'gemini-2.5-flash',
      messages: [
        user('Weather in Paris and Rome?'),
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"celsius": 21}' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'sunny' }] },
        user('Thanks'),
      ],
    });
    assert.deepEqual(request.contents, [
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { id: 'call_1', name: 'weather', args: { city: 'Paris' } } },
          { functionCall: { id: 'call_2', name: 'weather', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'call_1', name: 'weather', response: { celsius: 21 } } },
          { functionResponse: { id: 'call_2', name: 'weather', response: { output: 'sunny' } } },
        ],
      },
      { role: 'user', parts: [{ text: 'Thanks' }] },
    ]);
  });

  test('legacy function_call and function messages read like tool calls', () => {
    const { request } = chatRequestToGemini({
      model: 'm',
      messages: [
        user('x'),
        { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{"a":1}' } },
        { role: 'function', name: 'f', content: '2' },
      ],
    });
    assert.deepEqual(request.contents.slice(1), [
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: '2' } } }] },
    ]);
  });

  test('every sampling field maps to its generationConfig field; unset and null fields are left out', () => {
    const { request } = chatRequestToGemini({
      model: 'm',
      messages: [user('hi')],
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 100,
      max_completion_tokens: 256,
      stop: ['END', '###'],
      n: 2,
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: -0.25,
      logprobs: true,
      top_logprobs: 3,
      reasoning_effort: 'medium',
      user: 'ignored',
      metadata: { ignored: 'yes' },
      parallel_tool_calls: true,
      service_tier: null,
    });
    assert.deepEqual(request.generationConfig, {
      temperature: 0.3,
      topP: 0.9,
      maxOutputTokens: 256,
      stopSequences: ['END', '###'],
      candidateCount: 2,
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: -0.25,
      responseLogprobs: true,
      logprobs: 3,
      thinkingConfig: { thinkingBudget: 8192 },
    });
    const bare = chatRequestToGemini({ model: 'm', messages: [user('hi')], temperature: null, stop: 'END', max_tokens: 7 }).request;
    assert.deepEqual(bare.generationConfig, { stopSequences: ['END'], maxOutputTokens: 7 });
    assert.equal(chatRequestToGemini({ model: 'm', messages: [user('hi')] }).request.generationConfig, undefined);
  });

  test('response_format: text sets nothing, json_object is JSON mode, json_schema carries its schema', () => {
    const format = (response_format: unknown) => chatRequestToGemini({ model: 'm', messages: [user('hi')], response_format }).request.generationConfig;
    assert.equal(format({ type: 'text' }), undefined);
    assert.deepEqual(format({ type: 'json_object' }), { responseMimeType: 'application/json' });
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };
    assert.deepEqual(format({ type: 'json_schema', json_schema: { name: 'person', strict: true, schema } }), {
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
    assert.equal(refusal(() => format({ type: 'json_schema' })).param, 'response_format.json_schema');
    assert.equal(refusal(() => format({ type: 'xml' })).param, 'response_format.type');
  });

  test('reasoning_effort maps to Google\'s documented budgets; Google\'s thinking_config extension sets the fields directly', () => {
    const thinking = (extra: Record<string, unknown>) =>
      chatRequestToGemini({ model: 'm', messages: [user('hi')], ...extra }).request.generationConfig?.thinkingConfig;
    assert.deepEqual(thinking({ reasoning_effort: 'none' }), { thinkingBudget: 0 });
    assert.deepEqual(thinking({ reasoning_effort: 'low' }), { thinkingBudget: 1024 });
    assert.deepEqual(thinking({ reasoning_effort: 'high' }), { thinkingBudget: 24_576 });
    assert.deepEqual(thinking({ extra_body: { google: { thinking_config: { thinking_budget: 500, include_thoughts: true } } } }), { thinkingBudget: 500 });
    assert.deepEqual(thinking({ google: { thinking_config: { thinking_level: 'low' } } }), { thinkingLevel: 'low' });
    assert.equal(refusal(() => thinking({ reasoning_effort: 'max' })).param, 'reasoning_effort');
    assert.equal(refusal(() => thinking({ reasoning_effort: 'low', google: { thinking_config: { thinking_budget: 1 } } })).param, 'reasoning_effort');
  });

  test('stream and stream_options.include_usage are reported as sent', () => {
    const translated = chatRequestToGemini({ model: 'm', messages: [user('hi')], stream: true, stream_options: { include_usage: true } });
    assert.equal(translated.stream, true);
    assert.equal(translated.includeUsage, true);
    assert.equal(refusal(() => chatRequestToGemini({ model: 'm', messages: [user('hi')], stream: 'yes' })).param, 'stream');
  });

  test('wrong types, ranges and missing fields are refused naming the param, in OpenAI\'s words', () => {
    const base = { model: 'm', messages: [user('hi')] };
    const missingModel = refusal(() => chatRequestToGemini({ messages: [user('hi')] }));
    assert.deepEqual([missingModel.param, missingModel.code, missingModel.message], ['model', 'missing_required_parameter', "Missing required parameter: 'model'."]);
    const wrongType = refusal(() => chatRequestToGemini({ ...base, temperature: '0.5' }));
    assert.deepEqual([wrongType.param, wrongType.code], ['temperature', 'invalid_type']);
    assert.match(wrongType.message, /expected a number, but got a string/);
    const tooHot = refusal(() => chatRequestToGemini({ ...base, temperature: 3 }));
    assert.deepEqual([tooHot.param, tooHot.code], ['temperature', 'decimal_above_max_value']);
    assert.equal(refusal(() => chatRequestToGemini({ ...base, n: 1.5 })).param, 'n');
    assert.equal(refusal(() => chatRequestToGemini({ ...base, max_tokens: 0 })).code, 'integer_below_min_value');
    assert.equal(refusal(() => chatRequestToGemini({ ...base, stop: [1] })).param, 'stop');
    assert.equal(refusal(() => chatRequestToGemini({ ...base, top_logprobs: 2 })).param, 'top_logprobs');
    assert.equal(refusal(() => chatRequestToGemini({ model: 'm', messages: [] })).param, 'messages');
    assert.equal(refusal(() => chatRequestToGemini({ model: 'm', messages: [{ role: 'system', content: 'only' }] })).param, 'messages');
    assert.equal(refusal(() => chatRequestToGemini({ model: 'm', messages: [{ role: 'robot', content: 'x' }] })).param, 'messages[0].role');
    assert.equal(refusal(() => chatRequestToGemini({ model: 'm', messages: [{ content: 'x' }] })).code, 'missing_required_parameter');
    assert.equal(refusal(() => chatRequestToGemini({ model: 'models/', messages: [user('x')] })).param, 'model');
    assert.equal(refusal(() => chatRequestToGemini([base])).param, null);
  });

  test('tool call arguments must be a JSON object; a tool message must answer an earlier call', () => {
    const call = (args: unknown) => ({ role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: args } }] });
    const badJson = refusal(() => chatRequestToGemini({ model: 'm', messages: [user('x'), call('{oops')] }));
    assert.equal(badJson.param, 'messages[1].tool_calls[0].function.arguments');
    assert.equal(refusal(() => chatRequestToGemini({ model: 'm', messages: [user('x'), call('[1]')] })).param, 'messages[1].tool_calls[0].function.arguments');
    assert.equal(refusal(() => chatRequestToGemini({ model: 'm', messages: [user('x'), call({ a: 1 })] })).code, 'invalid_type');
    const orphan = refusal(() => chatRequestToGemini({ model: 'm', messages: [user('x'), call('{}'), { role: 'tool', tool_call_id: 'c9', content: 'r' }] }));
    assert.equal(orphan.param, 'messages[2].tool_call_id');
    const noId = refusal(() => chatRequestToGemini({ model: 'm', messages: [user('x'), { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }] }));
    assert.equal(noId.param, 'messages[1].tool_calls[0].id');
  });

  test('service_tier maps onto Gemini serviceTier: flex and priority as they are, default to standard, auto to none', () => {
    const tierOf = (tier: unknown): unknown => chatRequestToGemini({ model: 'gemini-2.5-flash', messages: [user('hi')], service_tier: tier }).request.serviceTier;
    assert.deepEqual([tierOf('flex'), tierOf('priority'), tierOf('default'), tierOf('auto'), tierOf(undefined), tierOf(3)], ['flex', 'priority', 'standard', undefined, undefined, undefined]);
  });
});

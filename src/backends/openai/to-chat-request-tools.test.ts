// Tests of the chat request translation of tools: function declarations, toolConfig, hosted tools, call and response parts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ask } from '../testing/backend-test-kit.js';
import type { ChatRequest } from './to-chat-request.js';
import { refusal, SERVER, translate } from './testing/chat-request-kit.js';

const weather = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } };
const time = { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { timezone: { type: 'string' } } } };
const ping = { name: 'ping' };

test('functionDeclarations become function tools (Gemini schema converted, JSON Schema kept, none → empty object)', () => {
  const { body } = translate({ ...ask('weather?'), tools: [{ functionDeclarations: [weather, time] }, { functionDeclarations: [ping] }] });
  assert.deepEqual(body.tools, [
    { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { timezone: { type: 'string' } } } } },
    { type: 'function', function: { name: 'ping', parameters: { type: 'object', properties: {} } } },
  ]);
  assert.equal(body.tool_choice, undefined, 'no toolConfig, no tool_choice');
});

test('toolConfig modes: AUTO→auto, NONE→none, ANY→required, ANY with allowed names narrows the tools', () => {
  const withMode = (mode: string, allowedFunctionNames?: string[]): ChatRequest =>
    translate({ ...ask('go'), tools: [{ functionDeclarations: [weather, time, ping] }], toolConfig: { functionCallingConfig: { mode, ...(allowedFunctionNames ? { allowedFunctionNames } : {}) } } });
  assert.equal(withMode('AUTO').body.tool_choice, 'auto');
  assert.equal(withMode('VALIDATED').body.tool_choice, 'auto');
  assert.equal(withMode('NONE').body.tool_choice, 'none');
  assert.equal(withMode('ANY').body.tool_choice, 'required');
  assert.equal(withMode('ANY').body.tools?.length, 3);
  const one = withMode('ANY', ['get_time']).body;
  assert.deepEqual(one.tool_choice, { type: 'function', function: { name: 'get_time' } });
  assert.deepEqual(one.tools?.map((tool) => tool.type === 'function' && tool.function.name), ['get_time']);
  const two = withMode('ANY', ['ping', 'get_weather']).body;
  assert.equal(two.tool_choice, 'required');
  assert.deepEqual(two.tools?.map((tool) => tool.type === 'function' && tool.function.name), ['get_weather', 'ping']);
  assert.match(refusal({ ...ask('go'), tools: [{ functionDeclarations: [ping] }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['nope'] } } }).message, /'nope'/);
  assert.equal(translate({ ...ask('go'), toolConfig: { functionCallingConfig: { mode: 'ANY' } } }).body.tool_choice, undefined, 'no tools, no tool_choice');
});

test('Gemini-hosted tools cannot run on an OpenAI-compatible server: INVALID_ARGUMENT naming the tool and the server', () => {
  for (const tool of ['googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext', 'fileSearch', 'googleMaps', 'computerUse', 'mcpServers']) {
    const error = refusal({ ...ask('search'), tools: [{ functionDeclarations: [ping] }, { [tool]: {} }] });
    assert.equal(error.message, `${tool} is not supported by the OpenAI-compatible backend (${SERVER})`);
  }
});

test('functionCall parts become assistant tool_calls; functionResponse parts become tool messages matched by id, else by name', () => {
  const { body } = translate({
    tools: [{ functionDeclarations: [weather, time] }],
    contents: [
      { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Let me check.', thought: true },
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' },
          { functionCall: { id: 'abc', name: 'get_time', args: { timezone: 'Europe/Paris' } } },
          { functionCall: { name: 'get_weather', args: { city: 'Lyon' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'abc', name: 'get_time', response: { time: '12:00' } } },
          { functionResponse: { name: 'get_weather', response: { temperature: 21 } } },
          { functionResponse: { name: 'get_weather', response: { temperature: 19 } } },
          { text: 'Summarise.' },
        ],
      },
      { role: 'model', parts: [{ functionCall: { name: 'get_time', args: {} } }] },
      { role: 'function', parts: [{ functionResponse: { name: 'get_time', response: { time: '12:01' } } }] },
    ],
  });
  assert.deepEqual(body.messages, [
    { role: 'user', content: 'Weather and time in Paris?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'abc', type: 'function', function: { name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'abc', content: '{"time":"12:00"}' },
    { role: 'tool', tool_call_id: 'call_0', content: '{"temperature":21}' },
    { role: 'tool', tool_call_id: 'call_2', content: '{"temperature":19}' },
    { role: 'user', content: 'Summarise.' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'get_time', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'call_3', content: '{"time":"12:01"}' },
  ]);
  const orphan = refusal({ contents: [{ role: 'user', parts: [{ functionResponse: { name: 'get_time', response: {} } }] }] });
  assert.match(orphan.message, /contents\[0\]\.parts\[0\].*'get_time' answers no functionCall/);
});

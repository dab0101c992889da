// Tests of tools / tool_choice (and the legacy functions / function_call) → Gemini tools and toolConfig.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chatToolsToGemini } from './chat-tools.js';
import { refusal } from './testing/refusal.js';

const weather = {
  type: 'function',
  function: {
    name: 'weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: true,
  },
};
const time = { type: 'function', function: { name: 'time' } };
const declarations = [
  { name: 'weather', description: 'Current weather', parametersJsonSchema: weather.function.parameters },
  { name: 'time' },
];

describe('chatToolsToGemini', () => {
  test('function tools become one tool of functionDeclarations with parametersJsonSchema; no tool_choice, no toolConfig', () => {
    assert.deepEqual(chatToolsToGemini({ tools: [weather, time] }), { tools: [{ functionDeclarations: declarations }] });
    assert.deepEqual(chatToolsToGemini({}), {});
    assert.deepEqual(chatToolsToGemini({ tools: null }), {});
  });

  test('tool_choice none/auto/required/named map to NONE/AUTO/ANY/ANY with the name', () => {
    const mode = (tool_choice: unknown) => chatToolsToGemini({ tools: [weather, time], tool_choice }).toolConfig;
    assert.deepEqual(mode('none'), { functionCallingConfig: { mode: 'NONE' } });
    assert.deepEqual(mode('auto'), { functionCallingConfig: { mode: 'AUTO' } });
    assert.deepEqual(mode('required'), { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(mode({ type: 'function', function: { name: 'time' } }), { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['time'] } });
  });

  test('allowed_tools: required lists the names under ANY; auto narrows the declarations', () => {
    const allowed = (mode: string) =>
      chatToolsToGemini({ tools: [weather, time], tool_choice: { type: 'allowed_tools', allowed_tools: { mode, tools: [{ type: 'function', function: { name: 'weather' } }] } } });
    assert.deepEqual(allowed('required'), { tools: [{ functionDeclarations: declarations }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } } });
    assert.deepEqual(allowed('auto'), { tools: [{ functionDeclarations: [declarations[0]] }], toolConfig: { functionCallingConfig: { mode: 'AUTO' } } });
  });

  test('the legacy functions and function_call read the same', () => {
    const legacy = chatToolsToGemini({ functions: [weather.function, time.function], function_call: { name: 'weather' } });
    assert.deepEqual(legacy, { tools: [{ functionDeclarations: declarations }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } } });
  });

  test('tool_choice none/auto without tools is nothing; anything else without tools, unknown names and non-function tools are refused', () => {
    assert.deepEqual(chatToolsToGemini({ tool_choice: 'auto' }), {});
    assert.equal(refusal(() => chatToolsToGemini({ tool_choice: 'required' })).param, 'tool_choice');
    assert.equal(refusal(() => chatToolsToGemini({ tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } })).param, 'tool_choice.function.name');
    assert.equal(refusal(() => chatToolsToGemini({ tools: [weather], tool_choice: 'sometimes' })).param, 'tool_choice');
    assert.equal(refusal(() => chatToolsToGemini({ tools: [{ type: 'custom', custom: { name: 'x' } }] })).param, 'tools[0].type');
    assert.equal(refusal(() => chatToolsToGemini({ tools: [{ type: 'function', function: { description: 'no name' } }] })).param, 'tools[0].function.name');
    assert.equal(refusal(() => chatToolsToGemini({ tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] })).param, 'tools[0].function.parameters');
    assert.equal(refusal(() => chatToolsToGemini({ tools: {} })).param, 'tools');
  });
});

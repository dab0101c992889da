import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.js';
import { normalizeMessage } from './normalize-message.js';
import { WireSchemaError } from './wire-schema-error.js';
import type { WireSchemaErrorReason } from './wire-schema-error.js';

/** Asserts that normalising throws a WireSchemaError with this path, reason and (exact) message. */
function assertRejects(
  run: () => unknown,
  expected: { fieldPath: string; reason: WireSchemaErrorReason; message?: string | RegExp },
): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof WireSchemaError, `expected a WireSchemaError, got ${String(error)}`);
    assert.equal(error.fieldPath, expected.fieldPath);
    assert.equal(error.reason, expected.reason);
    if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
    else if (expected.message !== undefined) assert.match(error.message, expected.message);
    return true;
  });
}

const generate = (body: unknown, path?: string): unknown => normalizeMessage(body, 'GenerateContentRequest', path);

type Rejection = [body: unknown, path: string | undefined, expected: Parameters<typeof assertRejects>[1]];

/** Asserts that normalising each body as a GenerateContentRequest (at its path) is rejected as expected. */
function assertAllRejected(cases: readonly Rejection[]): void {
  for (const [body, path, expected] of cases) assertRejects(() => generate(body, path), expected);
}

/** Picks the spelling of a field name. */
type Spell = (camelCase: string, snakeCase: string) => string;
const camelCase: Spell = (camel) => camel;
const snakeCase: Spell = (_camel, snake) => snake;

/** One body, each field name of it spelled by `spell` (the values, free-form or not, are the same). */
const spelledBody = (spell: Spell): unknown => ({
  contents: [{ role: 'user', parts: [{ text: 'hi' }, { [spell('inlineData', 'inline_data')]: { [spell('mimeType', 'mime_type')]: 'image/png', data: 'AAAA' } }] }],
  [spell('systemInstruction', 'system_instruction')]: { parts: [{ text: 'be brief' }] },
  [spell('generationConfig', 'generation_config')]: {
    [spell('maxOutputTokens', 'max_output_tokens')]: 50,
    [spell('topK', 'top_k')]: 3,
    [spell('responseMimeType', 'response_mime_type')]: 'application/json',
    [spell('thinkingConfig', 'thinking_config')]: { [spell('thinkingBudget', 'thinking_budget')]: 0, [spell('includeThoughts', 'include_thoughts')]: true },
  },
  [spell('safetySettings', 'safety_settings')]: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
});

test('snake_case, camelCase and mixed bodies all come out in lowerCamelCase, at any depth', () => {
  const expected = {
    contents: [{ role: 'user', parts: [{ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }],
    systemInstruction: { parts: [{ text: 'be brief' }] },
    generationConfig: {
      maxOutputTokens: 50,
      topK: 3,
      responseMimeType: 'application/json',
      thinkingConfig: { thinkingBudget: 0, includeThoughts: true },
    },
    safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
  };
  const snake = spelledBody(snakeCase);
  const mixedSnakeCase = new Set(['mime_type', 'max_output_tokens', 'response_mime_type', 'thinking_config', 'include_thoughts', 'safety_settings']);
  const mixed = spelledBody((camel, snake) => (mixedSnakeCase.has(snake) ? snake : camel));
  assert.deepEqual(spelledBody(camelCase), expected, 'the bodies differ only in their spelling');
  assert.deepEqual(generate(expected), expected);
  assert.deepEqual(generate(snake), expected);
  assert.deepEqual(generate(mixed), expected);
});

test('the result is a copy: the input is not modified', () => {
  const input = { contents: [{ parts: [{ text: 'x' }] }], generation_config: { temperature: 0.5 } };
  const snapshot = structuredClone(input);
  const output = generate(input) as { contents: unknown[] };
  assert.deepEqual(input, snapshot);
  assert.notEqual(output.contents, input.contents);
  assert.notEqual(output.contents[0], input.contents[0]);
});

test('free-form values keep their keys exactly as given', () => {
  const schema = { type: 'OBJECT', properties: { first_name: { type: 'STRING' }, lastName: { type: 'STRING' } }, property_ordering: ['first_name'] };
  // Only the field names follow `spell`: the keys inside args, response, the schemas and labels are free-form.
  const body = (spell: Spell): unknown => ({
    contents: [
      { role: 'model', parts: [{ [spell('functionCall', 'function_call')]: { name: 'lookup', args: { user_id: 7, nested_thing: { a_b: 1 } } } }] },
      { role: 'user', parts: [{ [spell('functionResponse', 'function_response')]: { name: 'lookup', response: { found_it: true } } }] },
    ],
    [spell('generationConfig', 'generation_config')]: {
      [spell('responseSchema', 'response_schema')]: schema, [spell('responseJsonSchema', 'response_json_schema')]: { additional_properties: false },
    },
    tools: [
      { [spell('functionDeclarations', 'function_declarations')]: [{ name: 'lookup', parameters: { properties: { user_id: { type: 'INTEGER' } } } }] },
      { [spell('googleSearch', 'google_search')]: { time_range_filter: {} } },
    ],
    labels: { team_name: 'search', Cost_Center: '42' },
  });
  assert.deepEqual(generate(body(snakeCase)), body(camelCase));
});

test('an unknown field is rejected with its path and Google\'s message', () => assertAllRejected([
  [{ contents: [], thinking_config: {} }, undefined, {
    fieldPath: 'thinking_config', reason: 'unknown field', message: 'Invalid JSON payload received. Unknown name "thinking_config": Cannot find field.',
  }],
  [{ contents: [], temperature: 0.2 }, 'request', {
    fieldPath: 'request.temperature', reason: 'unknown field', message: 'Invalid JSON payload received. Unknown name "temperature" at \'request\': Cannot find field.',
  }],
  [{ contents: [{ parts: [{ text: 'a' }, { txt: 'b' }] }] }, 'request', {
    fieldPath: 'request.contents[0].parts[1].txt',
    reason: 'unknown field',
    message: 'Invalid JSON payload received. Unknown name "txt" at \'request.contents[0].parts[1]\': Cannot find field.',
  }],
  [{ generation_config: { thinking_config: { thinking_budgets: 1 } } }, 'request', {
    fieldPath: 'request.generation_config.thinking_config.thinking_budgets',
    reason: 'unknown field',
    message: 'Invalid JSON payload received. Unknown name "thinking_budgets" at \'request.generation_config.thinking_config\': Cannot find field.',
  }],
]));

test('only the two proto3 spellings are accepted, not other casings', () => {
  for (const spelling of ['GenerationConfig', 'generationconfig', 'generation-config', 'GENERATION_CONFIG']) {
    assertRejects(() => generate({ [spelling]: {} }), { fieldPath: spelling, reason: 'unknown field' });
  }
});

test('prototype keys are unknown fields, not a way into the object model', () => {
  const body = JSON.parse('{"contents": [{"parts": [{"text": "x"}]}], "__proto__": {"polluted": true}}') as unknown;
  assertRejects(() => generate(body), { fieldPath: '__proto__', reason: 'unknown field' });
  assertRejects(() => generate({ constructor: {} }), { fieldPath: 'constructor', reason: 'unknown field' });
});

test('a value of the wrong JSON type is rejected, naming the path and the expected type', () => assertAllRejected([
  [{ generation_config: { temperature: 'hot' } }, 'request', {
    fieldPath: 'request.generation_config.temperature', reason: 'invalid value', message: 'Invalid value at \'request.generation_config.temperature\' (TYPE_FLOAT), "hot"',
  }],
  [{ contents: [{ parts: [{ text: 42 }] }] }, undefined, { fieldPath: 'contents[0].parts[0].text', reason: 'invalid value', message: 'Invalid value at \'contents[0].parts[0].text\' (TYPE_STRING), 42' }],
  [{ contents: [{ parts: [{ thought: 'yes' }] }] }, undefined, { fieldPath: 'contents[0].parts[0].thought', reason: 'invalid value', message: /\(TYPE_BOOL\), "yes"$/ }],
  [{ generationConfig: { stopSequences: 'END' } }, undefined, {
    fieldPath: 'generationConfig.stopSequences', reason: 'invalid value', message: 'Invalid value at \'generationConfig.stopSequences\' (repeated TYPE_STRING), "END": expected a list',
  }],
  [{ generationConfig: { stopSequences: ['a', 7] } }, undefined, { fieldPath: 'generationConfig.stopSequences[1]', reason: 'invalid value' }],
  [{ generationConfig: { temperature: [1] } }, undefined, { fieldPath: 'generationConfig.temperature', reason: 'invalid value', message: /not a repeated field$/ }],
  [{ safetySettings: [{ category: '' }] }, undefined, { fieldPath: 'safetySettings[0].category', reason: 'invalid value', message: /TYPE_ENUM/ }],
]));

test('a non-object where a message belongs is rejected with the message type', () => assertAllRejected([
  [{ contents: ['plain text'] }, 'request', {
    fieldPath: 'request.contents[0]',
    reason: 'invalid value',
    message: 'Invalid value at \'request.contents[0]\' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), "plain text"',
  }],
  [{ contents: [{ parts: { text: 'x' } }] }, undefined, {
    fieldPath: 'contents[0].parts',
    reason: 'invalid value',
    message: /\(repeated type\.googleapis\.com\/google\.ai\.generativelanguage\.v1beta\.Part\), \{\.\.\.\}: expected a list$/,
  }],
  [{ generationConfig: [] }, undefined, { fieldPath: 'generationConfig', reason: 'invalid value', message: /not a repeated field$/ }],
  ['hello', undefined, { fieldPath: '', reason: 'invalid value' }],
  [{ contents: [null] }, undefined, { fieldPath: 'contents[0]', reason: 'invalid value', message: /, null$/ }],
]));

test('long offending strings are shortened in messages', () => {
  assert.throws(
    () => generate({ generationConfig: { temperature: 'x'.repeat(10_000) } }),
    (error: unknown) => error instanceof WireSchemaError && error.message.length < 200,
  );
});

test('int32 fields take integers only; int64 also takes decimal strings', () => {
  assertAllRejected([
    [{ generationConfig: { maxOutputTokens: 1.5 } }, undefined, {
      fieldPath: 'generationConfig.maxOutputTokens', reason: 'invalid value', message: 'Invalid value at \'generationConfig.maxOutputTokens\' (TYPE_INT32), 1.5',
    }],
    [{ generationConfig: { seed: '12' } }, undefined, { fieldPath: 'generationConfig.seed', reason: 'invalid value' }],
    [{ generationConfig: { topK: 2 ** 31 } }, undefined, { fieldPath: 'generationConfig.topK', reason: 'invalid value' }],
  ]);
  assert.deepEqual(generate({ generationConfig: { seed: -3, topK: 0 } }), { generationConfig: { seed: -3, topK: 0 } });
  assert.deepEqual(generate({ generationConfig: { temperature: 1 } }), { generationConfig: { temperature: 1 } });
});

test('an enum takes its name or its number', () => {
  assert.deepEqual(generate({ tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['f'] } } }), {
    toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
  });
  assert.deepEqual(generate({ safetySettings: [{ category: 7, threshold: 'BLOCK_NONE' }] }), {
    safetySettings: [{ category: 7, threshold: 'BLOCK_NONE' }],
  });
});

test('a field given in both spellings is rejected, in either order', () => {
  assertAllRejected([
    [{ generationConfig: {}, generation_config: {} }, 'request', {
      fieldPath: 'request.generation_config',
      reason: 'duplicate field',
      message: 'Invalid JSON payload received. Field "generation_config" at \'request\' is given twice, as "generationConfig" and as "generation_config".',
    }],
    [{ generationConfig: { top_p: 0.1, topP: 0.2 } }, undefined, { fieldPath: 'generationConfig.top_p', reason: 'duplicate field' }],
    [{ generationConfig: { topP: null, top_p: 0.2 } }, undefined, { fieldPath: 'generationConfig.top_p', reason: 'duplicate field' }],
  ]);
});

test('null fields are dropped as absent; null inside free-form values stays', () => {
  assert.deepEqual(
    generate({ contents: [{ role: null, parts: [{ text: 'x', thought: null }] }], generation_config: null, labels: { a: null }, tools: null }),
    { contents: [{ parts: [{ text: 'x' }] }], labels: { a: null } },
  );
});

test('embed requests use their own message type', () => {
  assert.deepEqual(
    normalizeMessage({ content: { parts: [{ text: 'a' }] }, task_type: 'RETRIEVAL_DOCUMENT', output_dimensionality: 8, title: 't' }, 'EmbedContentRequest'),
    { content: { parts: [{ text: 'a' }] }, taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 8, title: 't' },
  );
  assertRejects(() => normalizeMessage({ contents: [] }, 'EmbedContentRequest'), { fieldPath: 'contents', reason: 'unknown field' });
});

test('the fields the JS SDK sends are all accepted', () => {
  const body = {
    model: 'models/gemini-2.5-flash',
    contents: [{ role: 'user', parts: [
      { text: 'x', thoughtSignature: 'c2ln', partMetadata: { a: 1 }, mediaResolution: { level: 'MEDIA_RESOLUTION_LOW' } },
      { fileData: { fileUri: 'files/abc', mimeType: 'video/mp4', displayName: 'clip' }, videoMetadata: { startOffset: '1s', endOffset: '2.5s', fps: 2 } },
      { executableCode: { language: 'PYTHON', code: 'print(1)', id: 'c1' } },
      { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '1', id: 'c1' } },
      { functionResponse: { id: 'f1', name: 'f', response: {}, willContinue: false, scheduling: 'SILENT', parts: [{ inlineData: {} }] } },
    ] }],
    tools: [{ codeExecution: {} }, { urlContext: {} }, { googleSearchRetrieval: { dynamicRetrievalConfig: {} } }, { mcpServers: [{ name: 'm' }] }],
    toolConfig: { retrievalConfig: { latLng: {} }, includeServerSideToolInvocations: true },
    generationConfig: {
      candidateCount: 1, presencePenalty: 0.5, frequencyPenalty: -0.5, responseLogprobs: true, logprobs: 3,
      responseModalities: ['TEXT', 'IMAGE'], speechConfig: { voiceConfig: {} }, imageConfig: { aspectRatio: '16:9' },
      mediaResolution: 'MEDIA_RESOLUTION_HIGH', enableEnhancedCivicAnswers: false, thinkingConfig: { thinkingLevel: 'LOW' },
      _responseJsonSchema: { type: 'object' },
    },
    cachedContent: 'cachedContents/c1',
    serviceTier: 'FLEX',
    store: false,
    continuationToken: { opaque: 1 },
  };
  assert.deepEqual(generate(body), body);
  assert.deepEqual(generate({ generationConfig: { _response_json_schema: { x_y: 1 } } }), { generationConfig: { _responseJsonSchema: { x_y: 1 } } });
});

test('WireSchemaError is an INVALID_ARGUMENT AppError', () => {
  assert.throws(() => generate({ nope: 1 }), (error: unknown) => error instanceof AppError && error.status === 'INVALID_ARGUMENT' && error.httpStatus === 400);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentRequest } from '../../core/gemini-types.js';
import { BackendError } from '../backend.js';
import type { ResolvedFiles } from './resolve-file-parts.js';
import { validateChatRequest } from './testing/validate-openai-request.js';
import { toChatRequest, type ChatRequest } from './to-chat-request.js';

const SERVER = 'http://127.0.0.1:8000/v1';
const NO_FILES: ResolvedFiles = new Map();

/** Translates and checks the body against the strict validator, so every test also proves the body is valid. */
function translate(request: GenerateContentRequest, files: ResolvedFiles = NO_FILES): ChatRequest {
  const translated = toChatRequest(request, 'upstream-model', files, SERVER);
  assert.deepEqual(validateChatRequest(translated.body), [], 'a strict server accepts the body');
  return translated;
}

function refusal(request: GenerateContentRequest, files: ResolvedFiles = NO_FILES): BackendError {
  try {
    toChatRequest(request, 'upstream-model', files, SERVER);
  } catch (error) {
    assert.ok(error instanceof BackendError, String(error));
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.equal(error.retryable, false);
    return error;
  }
  assert.fail('the request was translated, not refused');
}

const ask = (text: string): GenerateContentRequest => ({ contents: [{ role: 'user', parts: [{ text }] }] });

test('systemInstruction leads as a system message; turns keep their order; user→user, model→assistant, no role→user', () => {
  const { body, plan } = translate({
    systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] },
    contents: [
      { parts: [{ text: 'Hello' }] },
      { role: 'model', parts: [{ text: 'Bon' }, { text: 'jour.' }] },
      { role: 'user', parts: [{ text: 'Capital of France?' }, { text: 'One word.' }] },
    ],
  });
  assert.deepEqual(body, {
    model: 'upstream-model',
    messages: [
      { role: 'system', content: 'You are terse.\nAnswer in French.' },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Bonjour.' },
      { role: 'user', content: 'Capital of France?\nOne word.' },
    ],
  });
  assert.deepEqual(plan, { isEnum: false, includeThoughts: false });
  assert.match(refusal({ contents: [{ role: 'system', parts: [{ text: 'x' }] }] }).message, /contents\[0\]\.role/);
});

test('every generationConfig field maps to its OpenAI parameter; unset fields are not sent', () => {
  const { body } = translate({
    ...ask('hi'),
    generationConfig: {
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 256,
      stopSequences: ['END', '###'],
      candidateCount: 2,
      presencePenalty: 0.5,
      frequencyPenalty: -0.25,
      seed: 42,
      responseLogprobs: true,
      logprobs: 3,
    },
  });
  const { model: _model, messages: _messages, ...sampling } = body;
  assert.deepEqual(sampling, {
    temperature: 0.3,
    top_p: 0.9,
    top_k: 40,
    max_tokens: 256,
    stop: ['END', '###'],
    n: 2,
    presence_penalty: 0.5,
    frequency_penalty: -0.25,
    seed: 42,
    logprobs: true,
    top_logprobs: 3,
  });
  const bare = translate({ ...ask('hi'), generationConfig: { temperature: 0, mediaResolution: 'MEDIA_RESOLUTION_LOW' } }).body;
  assert.deepEqual(Object.keys(bare).sort(), ['messages', 'model', 'temperature']);
  assert.equal(translate({ ...ask('hi'), generationConfig: { logprobs: 3 } }).body.top_logprobs, undefined, 'logprobs needs responseLogprobs');
  assert.equal(translate({ ...ask('hi'), generationConfig: { thinkingConfig: { includeThoughts: true } } }).plan.includeThoughts, true);
});

test('fields with no OpenAI meaning are ignored (safetySettings, labels); ones that cannot be honoured are refused', () => {
  const { body } = translate({ ...ask('hi'), safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }], labels: { team: 'a' } });
  assert.deepEqual(Object.keys(body).sort(), ['messages', 'model']);
  assert.match(refusal({ ...ask('hi'), cachedContent: 'cachedContents/abc' }).message, /^cachedContent is not supported by the OpenAI-compatible backend \(http:\/\/127\.0\.0\.1:8000\/v1\)$/);
  assert.match(refusal({ ...ask('hi'), generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } }).message, /responseModalities "IMAGE"/);
  translate({ ...ask('hi'), generationConfig: { responseModalities: ['TEXT'] } });
});

test('JSON mode: json_object without a schema; responseSchema with UPPERCASE types becomes JSON Schema', () => {
  assert.deepEqual(translate({ ...ask('json'), generationConfig: { responseMimeType: 'application/json' } }).body.response_format, { type: 'json_object' });
  const { body, plan } = translate({
    ...ask('json'),
    generationConfig: {
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'OBJECT',
        description: 'A recipe',
        properties: {
          name: { type: 'STRING', description: 'Dish name' },
          servings: { type: 'INTEGER', nullable: true, format: 'int32' },
          course: { type: 'STRING', format: 'enum', enum: ['starter', 'main'], nullable: true },
          tags: { type: 'ARRAY', items: { type: 'STRING' }, minItems: '1', maxItems: 5 },
          price: { anyOf: [{ type: 'NUMBER' }, { type: 'STRING' }], nullable: true },
        },
        required: ['name', 'tags'],
        propertyOrdering: ['name', 'servings', 'course', 'tags', 'price'],
      },
    },
  });
  assert.deepEqual(body.response_format, {
    type: 'json_schema',
    json_schema: {
      name: 'response',
      schema: {
        type: 'object',
        description: 'A recipe',
        required: ['name', 'tags'],
        properties: {
          name: { type: 'string', description: 'Dish name' },
          servings: { type: ['integer', 'null'], format: 'int32' },
          course: { type: ['string', 'null'], enum: ['starter', 'main', null] },
          tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 5 },
          price: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'null' }] },
        },
      },
    },
  });
  assert.equal(plan.isEnum, false);
});

test('responseJsonSchema is sent exactly as given; text/x.enum becomes a string-enum schema and is unwrapped later', () => {
  const jsonSchema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'], additionalProperties: false };
  const { body } = translate({ ...ask('json'), generationConfig: { responseMimeType: 'application/json', responseJsonSchema: jsonSchema } });
  assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'response', schema: jsonSchema } });
  const enumRequest = translate({ ...ask('color?'), generationConfig: { responseMimeType: 'text/x.enum', responseSchema: { type: 'STRING', enum: ['red', 'green'] } } });
  assert.deepEqual(enumRequest.body.response_format, { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'string', enum: ['red', 'green'] } } });
  assert.equal(enumRequest.plan.isEnum, true);
  assert.match(refusal({ ...ask('x'), generationConfig: { responseSchema: { type: 'STRING' } } }).message, /responseMimeType must be application\/json or text\/x\.enum/);
  assert.match(refusal({ ...ask('x'), generationConfig: { responseMimeType: 'text/x.enum' } }).message, /enum values/);
  assert.match(refusal({ ...ask('x'), generationConfig: { responseMimeType: 'text/csv' } }).message, /text\/csv is not supported/);
});

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

test('thought parts are dropped; parts no chat message can hold are refused by name', () => {
  const { body } = translate({ contents: [{ role: 'user', parts: [{ text: 'hidden', thought: true }, { text: 'shown' }] }] });
  assert.deepEqual(body.messages, [{ role: 'user', content: 'shown' }]);
  const error = refusal({ contents: [{ role: 'user', parts: [{ text: 'run' }] }, { role: 'model', parts: [{ executableCode: { language: 'PYTHON', code: 'print(1)' } }] }] });
  assert.equal(error.message, `contents[1].parts[0].executableCode is not supported by the OpenAI-compatible backend (${SERVER})`);
  assert.match(refusal({ contents: [{ role: 'user', parts: [{ functionCall: { name: 'x' } }] }] }).message, /belong in a 'model' turn/);
});

test('inline images become data-URL image parts beside the text; WAV audio input_audio; text media plain text; PDF is refused', () => {
  const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
  const wav = Buffer.from('RIFF....WAVE').toString('base64');
  const { body } = translate({
    contents: [
      {
        role: 'user',
        parts: [
          { text: 'What is in this picture?' },
          { inlineData: { mimeType: 'image/png', data: png } },
          { inlineData: { mimeType: 'audio/wav', data: wav } },
          { inlineData: { mimeType: 'text/plain', data: Buffer.from('a note').toString('base64') } },
        ],
      },
    ],
  });
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
        { type: 'input_audio', input_audio: { data: wav, format: 'wav' } },
        { type: 'text', text: 'a note' },
      ],
    },
  ]);
  const pdf = refusal({ contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } }] }] });
  assert.match(pdf.message, /^contents\[0\]\.parts\[0\]: application\/pdf is not supported by the OpenAI-compatible backend/);
  assert.match(refusal({ contents: [{ role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: png } }] }] }).message, /inlineData parts in a 'model' turn/);
});

test('fileData parts use the resolved file: images as data URLs, text files as text, other media refused', () => {
  const files: ResolvedFiles = new Map([
    ['files/cat', { mimeType: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff]) }],
    ['files/notes', { mimeType: 'text/markdown', data: Buffer.from('# Notes\nBuy milk') }],
    ['files/clip', { mimeType: 'video/mp4', data: Buffer.from([0]) }],
  ]);
  const { body } = translate(
    { contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/cat' } }, { fileData: { fileUri: 'files/notes', mimeType: 'text/markdown' } }, { text: 'Describe.' }] }] },
    files,
  );
  assert.deepEqual(body.messages, [
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } },
        { type: 'text', text: '# Notes\nBuy milk' },
        { type: 'text', text: 'Describe.' },
      ],
    },
  ]);
  assert.match(refusal({ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'files/clip' } }] }] }, files).message, /video\/mp4 is not supported/);
});

// Tests of the chat request translation: messages and roles, generationConfig, ignored and refused fields, JSON mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ask } from '../testing/backend-test-kit.js';
import { refusal, translate } from './testing/chat-request-kit.js';

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

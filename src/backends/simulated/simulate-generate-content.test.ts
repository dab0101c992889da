import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentRequest, GenerateContentResponse, Schema } from '../../core/gemini-types.js';
import { BackendError } from '../backend.js';
import { createSimulatedBackend } from './simulated-backend.js';
import { estimateTokens } from './token-estimate.js';

const backend = createSimulatedBackend();
const signal = new AbortController().signal;
const generate = (request: GenerateContentRequest, model = 'gemini-2.5-flash'): Promise<GenerateContentResponse> =>
  backend.generateContent(request, { model, signal });
const ask = (text: string, extra: Partial<GenerateContentRequest> = {}): GenerateContentRequest => ({
  contents: [{ role: 'user', parts: [{ text }] }],
  ...extra,
});
const textOf = (response: GenerateContentResponse, index = 0): string => {
  const part = response.candidates?.[index]?.content?.parts?.[0];
  assert.equal(typeof part?.text, 'string', 'the candidate has a text part');
  return part!.text!;
};

test('the same request gives a byte-identical response, also from a fresh backend', async () => {
  const request = ask('Why is the sky blue?', { generationConfig: { temperature: 0.2 } });
  const first = await generate(request);
  assert.deepEqual(await generate(structuredClone(request)), first);
  assert.equal(JSON.stringify(await createSimulatedBackend().generateContent(request, { model: 'gemini-2.5-flash', signal })), JSON.stringify(first));
  assert.match(first.responseId ?? '', /^[A-Za-z0-9_-]{20,}$/);
  assert.equal(first.modelVersion, 'gemini-2.5-flash');
  assert.equal(first.candidates?.[0]?.content?.role, 'model');
  assert.equal(first.candidates?.[0]?.finishReason, 'STOP');
  assert.equal('continuationToken' in first, false);
});

test('different prompts give different texts and response ids; the reply quotes the prompt', async () => {
  const texts = new Set<string>();
  const ids = new Set<string>();
  for (let index = 0; index < 20; index++) {
    const response = await generate(ask(`Tell me about topic number ${index}`));
    texts.add(textOf(response));
    ids.add(response.responseId ?? '');
  }
  assert.equal(texts.size, 20);
  assert.equal(ids.size, 20);
  assert.match(textOf(await generate(ask('Why is the sky blue?'))), /"Why is the sky blue\?"/);
  const long = textOf(await generate(ask(`Please   summarise\nthis "very" long document about ${'many things '.repeat(200)}`)));
  assert.match(long, /"Please summarise this 'very' long document about…"/);
});

test('the reply reflects a persona or name from the system instruction', async () => {
  const cat = await generate(ask('What do you like?', { systemInstruction: { parts: [{ text: 'You are a cat. Answer briefly.' }] } }));
  assert.match(textOf(cat), /\bcat\b/);
  const named = await generate(ask('Hello', { systemInstruction: { parts: [{ text: 'Your name is Ada.' }] } }));
  assert.match(textOf(named), /\bAda\b/);
  const unnamed = await generate(ask('Hello', { systemInstruction: { parts: [{ text: 'Your name is not important here.' }] } }));
  assert.doesNotMatch(textOf(unnamed), /not here\./);
  const plain = await generate(ask('Hello', { systemInstruction: { parts: [{ text: 'Keep every answer short and polite.' }] } }));
  assert.match(textOf(plain), /as instructed: Keep every answer short/);
});

test('maxOutputTokens cuts the same text to the limit with MAX_TOKENS; a generous limit changes nothing', async () => {
  const prompt = 'Explain the printing press';
  const full = textOf(await generate(ask(prompt)));
  assert.ok(estimateTokens(full) > 8);
  const limited = await generate(ask(prompt, { generationConfig: { maxOutputTokens: 5 } }));
  const cut = textOf(limited);
  assert.ok(estimateTokens(cut) <= 5, `${cut} fits 5 tokens`);
  assert.ok(cut.length > 0 && full.startsWith(cut));
  assert.equal(limited.candidates?.[0]?.finishReason, 'MAX_TOKENS');
  const generous = await generate(ask(prompt, { generationConfig: { maxOutputTokens: 1000 } }));
  assert.equal(textOf(generous), full);
  assert.equal(generous.candidates?.[0]?.finishReason, 'STOP');
});

test('default replies run 20 to 80 tokens at most', async () => {
  for (let index = 0; index < 200; index++) {
    const tokens = estimateTokens(textOf(await generate(ask(`Question ${index}?`))));
    assert.ok(tokens >= 20 && tokens <= 80, `${tokens} tokens`);
  }
});

test('candidateCount gives that many distinct, indexed candidates', async () => {
  const response = await generate(ask('Name a colour', { generationConfig: { candidateCount: 3 } }));
  assert.deepEqual(response.candidates?.map((candidate) => candidate.index), [0, 1, 2]);
  assert.equal(new Set([0, 1, 2].map((index) => textOf(response, index))).size, 3);
  const sum = [0, 1, 2].reduce((total, index) => total + estimateTokens(textOf(response, index)), 0);
  assert.equal(response.usageMetadata?.candidatesTokenCount, sum);
  await assert.rejects(generate(ask('x', { generationConfig: { candidateCount: 9 } })), { status: 'INVALID_ARGUMENT' });
});

test('a stop sequence cuts the text before it with STOP', async () => {
  const prompt = 'Describe a river';
  const full = textOf(await generate(ask(prompt)));
  const words = full.split(' ');
  const stop = ` ${words[4]!}`;
  const response = await generate(ask(prompt, { generationConfig: { stopSequences: ['NEVER-THERE', stop] } }));
  assert.equal(textOf(response), full.slice(0, full.indexOf(stop)));
  assert.equal(response.candidates?.[0]?.finishReason, 'STOP');
});

test('usage: prompt matches countTokens, total = prompt + candidates + thoughts, zeros are omitted', async () => {
  const request = ask('Count these tokens please', {
    systemInstruction: { parts: [{ text: 'Be helpful.' }] },
    contents: [{ role: 'user', parts: [{ text: 'Count these tokens please' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }],
  });
  const response = await generate(request);
  const usage = response.usageMetadata!;
  const promptTokens = await backend.countTokens!(request, { model: 'gemini-2.5-flash', signal });
  assert.equal(usage.promptTokenCount, promptTokens);
  assert.equal(promptTokens, Math.ceil(('Count these tokens please'.length + 'Be helpful.'.length) / 4) + 258);
  assert.deepEqual(usage.promptTokensDetails, [{ modality: 'TEXT', tokenCount: promptTokens - 258 }, { modality: 'IMAGE', tokenCount: 258 }]);
  assert.equal(usage.candidatesTokenCount, estimateTokens(textOf(response)));
  assert.ok(usage.thoughtsTokenCount! >= 8 && usage.thoughtsTokenCount! <= 64);
  assert.equal(usage.totalTokenCount, usage.promptTokenCount + usage.candidatesTokenCount + usage.thoughtsTokenCount!);

  const noThinking = await generate(ask('Hi', { generationConfig: { thinkingConfig: { thinkingBudget: 0 } } }));
  assert.equal('thoughtsTokenCount' in noThinking.usageMetadata!, false);
  const oldModel = await generate(ask('Hi'), 'gemini-2.0-flash');
  assert.equal('thoughtsTokenCount' in oldModel.usageMetadata!, false);
  assert.equal(oldModel.usageMetadata?.totalTokenCount, oldModel.usageMetadata!.promptTokenCount! + oldModel.usageMetadata!.candidatesTokenCount!);
  assert.ok((await generate(ask('Hi'), 'gemini-3-pro-preview')).usageMetadata?.thoughtsTokenCount);

  const full = textOf(await generate(ask('Stop at once')));
  const empty = await generate(ask('Stop at once', { generationConfig: { stopSequences: [full.slice(0, 3)] } }));
  assert.equal(textOf(empty), '');
  assert.equal('candidatesTokenCount' in empty.usageMetadata!, false);
});

test('empty contents or a content without parts is INVALID_ARGUMENT, not retryable', async () => {
  for (const request of [{ contents: [] }, { contents: [{ role: 'user', parts: [] }] }, { contents: [{ role: 'user' }] }]) {
    await assert.rejects(generate(request), (error: unknown) => {
      assert.ok(error instanceof BackendError);
      assert.equal(error.status, 'INVALID_ARGUMENT');
      assert.equal(error.retryable, false);
      assert.match(error.message, /must not be empty/);
      return true;
    });
  }
});

const weather = { name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' }, unit: { type: 'STRING', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } satisfies Schema };
const stocks = { name: 'lookupStockPrice', parametersJsonSchema: { type: 'object', properties: { ticker: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 30 } }, required: ['ticker', 'days'] } };
const tools = [{ functionDeclarations: [weather, stocks] }];
const callOf = (response: GenerateContentResponse): { name?: string; args?: Record<string, unknown> } | undefined =>
  response.candidates?.[0]?.content?.parts?.[0]?.functionCall;

test('function calling: ANY mode calls an allowed function with arguments fitting its parameters', async () => {
  const response = await generate(ask('Hello there', { tools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookupStockPrice'] } } }));
  const call = callOf(response);
  assert.equal(call?.name, 'lookupStockPrice');
  assert.equal(typeof call?.args?.ticker, 'string');
  assert.ok(Number.isInteger(call?.args?.days) && (call.args!.days as number) >= 1 && (call.args!.days as number) <= 30);
  assert.equal(response.candidates?.[0]?.content?.parts?.length, 1);
  assert.equal(response.candidates?.[0]?.finishReason, 'STOP');
  assert.ok((response.usageMetadata?.candidatesTokenCount ?? 0) > 0);
  const any = await generate(ask('Hello there', { tools, toolConfig: { functionCallingConfig: { mode: 'ANY' } } }));
  assert.ok(['get_weather', 'lookupStockPrice'].includes(callOf(any)?.name ?? ''));
});

test('function calling: AUTO calls a function the prompt names, otherwise answers in text; NONE never calls', async () => {
  const named = callOf(await generate(ask('Please get weather for Lisbon', { tools })));
  assert.equal(named?.name, 'get_weather');
  assert.equal(typeof named?.args?.city, 'string');
  assert.ok(named?.args?.unit === undefined || ['celsius', 'fahrenheit'].includes(named.args.unit as string));
  assert.equal(callOf(await generate(ask('What is the LOOKUP STOCK PRICE of ACME?', { tools })))?.name, 'lookupStockPrice');
  assert.equal(callOf(await generate(ask('Tell me a joke', { tools }))), undefined);
  const none = await generate(ask('Please get_weather now', { tools, toolConfig: { functionCallingConfig: { mode: 'NONE' } } }));
  assert.equal(callOf(none), undefined);
  assert.ok(textOf(none).length > 0);
});

test('function calling: after a function response the model answers in text that names it', async () => {
  const response = await generate({
    contents: [
      { role: 'user', parts: [{ text: 'get weather in Oslo' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 3, sky: 'snow' } } }] },
    ],
    tools,
    toolConfig: { functionCallingConfig: { mode: 'ANY' } },
  });
  const text = textOf(response);
  assert.match(text, /get_weather/);
  assert.match(text, /temperature: 3/);
});

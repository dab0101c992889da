/**
 * The OpenAI surface's interactive endpoints through the official `openai` npm SDK (pinned in
 * package.json) against a `batchmode serve` process on the simulated backend, under both roots
 * (`/v1beta/openai` and `/v1`): chat completions (system message, n, max_tokens, stop, a
 * json_schema response format, tools and a tool-result follow-up, an image data URL), streaming
 * with usage, embeddings (the SDK's default base64, float, dimensions, a list of inputs),
 * models list and retrieve, and the SDK's error classes for a wrong key, a bad request and an
 * unknown model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const KEY = 'openai-interactive-key';
const MODEL = 'gemini-2.5-flash';
const EMBEDDING_MODEL = 'gemini-embedding-001';
/** A 1×1 transparent PNG. */
const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const WEATHER_TOOL: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['C', 'F'] } }, required: ['city', 'unit'] },
  },
};

let server: ServerProcess;
before(async () => {
  server = await startServerProcess({ env: { BATCHMODE_API_KEYS: KEY } });
});
after(async () => server.stop());

for (const root of ['/v1beta/openai', '/v1']) describe(`OpenAI interactive endpoints under ${root}`, () => {
  const client = (apiKey = KEY): OpenAI => new OpenAI({ apiKey, baseURL: `${server.url}${root}`, maxRetries: 0 });

  test('a chat completion with a system message', async () => {
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'You are a terse assistant.' },
        { role: 'user', content: 'Explain batch processing in one sentence.' },
      ],
      temperature: 0.2,
    });
    assert.equal(completion.object, 'chat.completion');
    assert.match(completion.id, /^chatcmpl-[a-z0-9]+$/);
    assert.equal(completion.model, MODEL);
    assert.ok(Number.isInteger(completion.created) && Math.abs(completion.created - Date.now() / 1000) < 600);
    assert.equal(completion.choices.length, 1);
    const [choice] = completion.choices;
    assert.equal(choice?.index, 0);
    assert.equal(choice?.finish_reason, 'stop');
    assert.equal(choice?.message.role, 'assistant');
    assert.ok((choice?.message.content ?? '').length > 0);
    const usage = completion.usage!;
    assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    assert.ok(usage.total_tokens >= usage.prompt_tokens + usage.completion_tokens);
  });

  test('n=2 answers two choices', async () => {
    const completion = await client().chat.completions.create({ model: MODEL, n: 2, messages: [{ role: 'user', content: 'Name a prime number.' }] });
    assert.deepEqual(completion.choices.map((choice) => choice.index), [0, 1]);
    for (const choice of completion.choices) assert.ok((choice.message.content ?? '').length > 0);
  });

  test('max_tokens cuts the answer (finish_reason length) and stop cuts it before the stop sequence', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Tell me about message queues.' }];
    const full = (await client().chat.completions.create({ model: MODEL, messages })).choices[0]?.message.content ?? '';
    const cut = await client().chat.completions.create({ model: MODEL, messages, max_tokens: 4 });
    assert.equal(cut.choices[0]?.finish_reason, 'length');
    // completion_tokens counts the thinking model's reasoning too, as OpenAI's does.
    const usage = cut.usage!;
    assert.ok(usage.completion_tokens - (usage.completion_tokens_details?.reasoning_tokens ?? 0) <= 4);
    assert.ok(full.startsWith(cut.choices[0]?.message.content ?? '?'));
    // The simulated model writes the same text whatever stops it; a word from the middle stops it there.
    const words = full.split(' ');
    const stopWord = words[Math.floor(words.length / 2)]!;
    const stopped = await client().chat.completions.create({ model: MODEL, messages, stop: [stopWord] });
    assert.equal(stopped.choices[0]?.finish_reason, 'stop');
    assert.equal(stopped.choices[0]?.message.content, full.slice(0, full.indexOf(stopWord)));
  });

  test('a json_schema response format answers JSON that fits the schema', async () => {
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Give me a city and its population.' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          strict: true,
          schema: { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'], additionalProperties: false },
        },
      },
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? '') as { city: unknown; population: unknown };
    assert.equal(typeof parsed.city, 'string');
    assert.ok(Number.isInteger(parsed.population));
  });

  test('tools: the model calls one, and answers from the tool result', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Please get weather for Paris.' }];
    const called = await client().chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL] });
    const choice = called.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    const calls = choice.message.tool_calls ?? [];
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.equal(call.type, 'function');
    assert.ok(call.id.length > 0);
    assert.ok(call.type === 'function' && call.function.name === 'get_weather');
    const args = JSON.parse(call.type === 'function' ? call.function.arguments : '') as { city: unknown; unit: unknown };
    assert.equal(typeof args.city, 'string');
    assert.ok(args.unit === 'C' || args.unit === 'F');

    const answered = await client().chat.completions.create({
      model: MODEL,
      tools: [WEATHER_TOOL],
      messages: [...messages, choice.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ temperature: 21, unit: 'C' }) }],
    });
    const reply = answered.choices[0]!;
    assert.equal(reply.finish_reason, 'stop');
    assert.equal(reply.message.tool_calls ?? undefined, undefined);
    assert.match(reply.message.content ?? '', /get_weather function returned/);
    assert.match(reply.message.content ?? '', /21/);
  });

  test('an image as a data URL is part of the prompt', async () => {
    const text = await client().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Describe this image.' }] });
    const withImage = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this image.' }, { type: 'image_url', image_url: { url: PNG_DATA_URL } }] }],
    });
    assert.ok((withImage.choices[0]?.message.content ?? '').length > 0);
    // The simulated model counts an image as 258 prompt tokens.
    assert.equal(withImage.usage!.prompt_tokens - text.usage!.prompt_tokens, 258);
  });

  test('streaming with include_usage: chunks add up to the non-streamed answer, then a usage chunk', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Write a haiku about queues.' }];
    const whole = await client().chat.completions.create({ model: MODEL, messages });
    const stream = await client().chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.length >= 2);
    assert.equal(new Set(chunks.map((chunk) => chunk.id)).size, 1);
    assert.match(chunks[0]!.id, /^chatcmpl-/);
    for (const chunk of chunks) assert.equal(chunk.object, 'chat.completion.chunk');
    const text = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('');
    assert.equal(text, whole.choices[0]?.message.content);
    const finishes = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason).filter((reason) => reason !== null));
    assert.deepEqual(finishes, ['stop']);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, whole.usage);
  });

  test('the stream on the wire: event-stream of data lines ending in [DONE]', async () => {
    const response = await fetch(`${server.url}${root}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Hello' }] }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    assert.ok(events.every((event) => event.startsWith('data: ')));
    assert.equal(events.at(-1), 'data: [DONE]');
    // Without include_usage no chunk carries usage.
    for (const event of events.slice(0, -1)) assert.equal((JSON.parse(event.slice(6)) as { usage?: unknown }).usage ?? null, null);
  });

  test('embeddings: the SDK default (base64) decodes to the float vector', async () => {
    const decoded = await client().embeddings.create({ model: EMBEDDING_MODEL, input: 'batch processing' });
    assert.equal(decoded.object, 'list');
    assert.equal(decoded.data.length, 1);
    const vector = decoded.data[0]!.embedding;
    assert.equal(vector.length, 3072);
    assert.ok(vector.every((value) => typeof value === 'number' && Number.isFinite(value)));
    assert.ok(decoded.usage.prompt_tokens > 0);
    const floats = await client().embeddings.create({ model: EMBEDDING_MODEL, input: 'batch processing', encoding_format: 'float' });
    const floatVector = floats.data[0]!.embedding;
    assert.equal(floatVector.length, 3072);
    // base64 carries float32: equal to the float answer within float32 precision.
    floatVector.forEach((value, index) => assert.ok(Math.abs(value - vector[index]!) < 1e-6));
  });

  test('embeddings: dimensions, and a list of inputs answered in order', async () => {
    const short = await client().embeddings.create({ model: EMBEDDING_MODEL, input: 'batch processing', dimensions: 256 });
    assert.equal(short.data[0]!.embedding.length, 256);
    const inputs = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
    const list = await client().embeddings.create({ model: EMBEDDING_MODEL, input: inputs, encoding_format: 'float' });
    assert.deepEqual(list.data.map((item) => item.index), inputs.map((_, index) => index));
    assert.deepEqual(list.data.map((item) => item.object), inputs.map(() => 'embedding'));
    const single = await client().embeddings.create({ model: EMBEDDING_MODEL, input: 'third', encoding_format: 'float' });
    assert.deepEqual(list.data[2]!.embedding, single.data[0]!.embedding);
    assert.ok(list.usage.prompt_tokens >= inputs.length);
    assert.equal(list.usage.total_tokens, list.usage.prompt_tokens);
  });

  test('models: list holds every model, retrieve takes both id forms', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) {
      assert.equal(model.object, 'model');
      assert.equal(typeof model.created, 'number');
      assert.equal(typeof model.owned_by, 'string');
      ids.push(model.id);
    }
    assert.ok(ids.includes(`models/${MODEL}`) && ids.includes(`models/${EMBEDDING_MODEL}`));
    assert.ok(ids.every((id) => id.startsWith('models/')));
    for (const id of [`models/${MODEL}`, MODEL]) {
      const model = await client().models.retrieve(id);
      assert.equal(model.id, `models/${MODEL}`);
      assert.equal(model.object, 'model');
    }
    await assert.rejects(client().models.retrieve('models/no-such-model'), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError, String(error));
      assert.equal(error.code, 'model_not_found');
      return true;
    });
  });

  test('a wrong key is an AuthenticationError', async () => {
    await assert.rejects(client('not-a-key').chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.type, 'authentication_error');
      return true;
    });
  });

  test('a bad request is a BadRequestError naming the parameter', async () => {
    const bad = client().chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'user', content: 'Look:' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'not a url' } }] },
      ],
    });
    await assert.rejects(bad, (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.type, 'invalid_request_error');
      assert.equal(error.param, 'messages[1].content[0].image_url.url');
      assert.ok(error.message.length > 0);
      return true;
    });
    await assert.rejects(client().embeddings.create({ model: EMBEDDING_MODEL, input: [] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.param, 'input');
      return true;
    });
  });

  test('an unknown model is a NotFoundError', async () => {
    await assert.rejects(client().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError, String(error));
      assert.equal(error.code, 'model_not_found');
      assert.equal(error.param, 'model');
      assert.match(error.message, /models\/no-such-model/);
      return true;
    });
    await assert.rejects(client().embeddings.create({ model: 'no-such-model', input: 'Hi' }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError && error.code === 'model_not_found', String(error));
      return true;
    });
  });
});

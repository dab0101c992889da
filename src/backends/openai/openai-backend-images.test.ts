/** The OpenAI backend's image routes against a strict fake image server: generations and edits, both ways; chat routes refusing. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import type { CallOptions } from '../backend.js';
import { decodePng } from '../simulated/testing/decode-png.js';
import { renderImage } from '../simulated/simulated-image.js';
import { collect, failure } from '../testing/backend-test-kit.js';
import { imageRouteOf, nearestSize } from './image-options.js';
import { createOpenAIBackend, type OpenAIBackend, type OpenAIBackendOptions } from './openai-backend.js';
import { startFakeImageServer, type FakeImageServer } from './testing/fake-image-server.js';

let fake: FakeImageServer;
const backends: OpenAIBackend[] = [];
before(async () => {
  fake = await startFakeImageServer();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.setHandler(undefined);
});
after(async () => {
  await Promise.all(backends.map((backend) => backend.close()));
  await fake.close();
});
const backendFor = (options: Partial<OpenAIBackendOptions> = {}): OpenAIBackend => {
  const backend = createOpenAIBackend({ baseUrl: fake.baseUrl, apiKey: 'sk-test', ...options });
  backends.push(backend);
  return backend;
};
const call = (extra: Partial<CallOptions> = {}): CallOptions => ({ model: 'gemini-2.5-flash-image', signal: new AbortController().signal, ...extra });
const draw = (text: string, generationConfig: Record<string, unknown> = {}): GenerateContentRequest => ({
  contents: [{ role: 'user', parts: [{ text }] }],
  generationConfig: { responseModalities: ['TEXT', 'IMAGE'], ...generationConfig },
});
const only = (): FakeImageServer['requests'][number] => {
  assert.equal(fake.requests.length, 1);
  assert.deepEqual(fake.requests[0]!.problems, []);
  return fake.requests[0]!;
};
const imagesOf = (response: GenerateContentResponse): string[] =>
  (response.candidates ?? []).map((candidate) => {
    const image = candidate.content?.parts?.find((part) => part.inlineData !== undefined)?.inlineData;
    assert.equal(image?.mimeType, 'image/png');
    return image.data!;
  });

test('generations: prompt (system first), n, nearest size and b64_json out; one candidate per image with usage back', async () => {
  const backend = backendFor({ images: { model: 'gpt-image-1' } });
  const request: GenerateContentRequest = {
    systemInstruction: { parts: [{ text: 'Flat vector style.' }] },
    contents: [
      { role: 'user', parts: [{ text: 'An earlier turn, not sent' }] },
      { role: 'model', parts: [{ text: 'ok' }] },
      { role: 'user', parts: [{ text: 'A lighthouse' }, { text: 'at dusk' }] },
    ],
    generationConfig: { responseModalities: ['TEXT', 'IMAGE'], candidateCount: 2, temperature: 0.3, imageConfig: { aspectRatio: '16:9' } },
  };
  const response = await backend.generateContent(request, call());
  const sent = only();
  assert.equal(sent.path, '/v1/images/generations');
  assert.equal(sent.headers.authorization, 'Bearer sk-test');
  assert.deepEqual(sent.json, { model: 'gpt-image-1', prompt: 'Flat vector style.\n\nA lighthouse\nat dusk', n: 2, size: '1536x1024', response_format: 'b64_json' });
  assert.equal(response.candidates?.length, 2);
  assert.deepEqual(response.candidates?.map((candidate) => [candidate.index, candidate.finishReason]), [[0, 'STOP'], [1, 'STOP']]);
  assert.match(response.candidates?.[0]?.content?.parts?.[0]?.text ?? '', /^A picture: Flat vector style/, 'revised_prompt as the text part');
  const pngs = imagesOf(response).map((data) => decodePng(data));
  assert.deepEqual([pngs[0]!.width, pngs[0]!.height], [192, 128], 'the fake draws 1536x1024 at 1/8');
  assert.deepEqual(response.usageMetadata, {
    promptTokenCount: 40, candidatesTokenCount: 2112, totalTokenCount: 2152, candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 2112 }],
  });
  assert.equal(response.modelVersion, 'gpt-image-1');
});

test('aspect ratios map to the nearest configured size; no ratio sends no size; response_format can be left out', async () => {
  const gptImage = imageRouteOf({}, undefined).sizes;
  const expected: Record<string, string> = {
    '1:1': '1024x1024', '2:3': '1024x1536', '3:2': '1536x1024', '3:4': '1024x1536', '4:3': '1536x1024',
    '4:5': '1024x1536', '5:4': '1536x1024', '9:16': '1024x1536', '16:9': '1536x1024', '21:9': '1536x1024',
  };
  for (const [ratio, size] of Object.entries(expected)) {
    const [across, down] = ratio.split(':').map(Number) as [number, number];
    assert.equal(nearestSize(across, down, gptImage).text, size, ratio);
  }
  const dalle3 = imageRouteOf({ sizes: ['1024x1024', '1792x1024', '1024x1792'] }, undefined).sizes;
  assert.equal(nearestSize(16, 9, dalle3).text, '1792x1024');
  assert.throws(() => imageRouteOf({ sizes: ['big'] }, undefined), RangeError);

  const backend = backendFor({ model: 'sd-xl', images: { sendResponseFormat: false } });
  await backend.generateContent(draw('a cat', { responseModalities: ['IMAGE'] }), call());
  assert.deepEqual(only().json, { model: 'sd-xl', prompt: 'a cat', n: 1 });
  fake.requests.length = 0;
  await backend.generateContent(draw('a cat', { imageConfig: { aspect_ratio: '9:16' } }), call());
  assert.equal(only().json?.size, '1024x1536');
  const refused = await failure(backend.generateContent(draw('a cat', { imageConfig: { aspectRatio: 'wide' } }), call()));
  assert.equal(refused.status, 'INVALID_ARGUMENT');
});

test('edits: input images (inline and uploaded) go as multipart image[] with the same fields; one image goes as image', async () => {
  const first = renderImage(1, 32, 32);
  const second = renderImage(2, 24, 16);
  const resolveFile = async (uri: string): Promise<{ mimeType: string; data: Buffer }> => {
    assert.equal(uri, 'files/abc');
    return { mimeType: 'image/png', data: second };
  };
  const backend = backendFor({ images: { model: 'gpt-image-1' } });
  const request: GenerateContentRequest = {
    contents: [{ role: 'user', parts: [
      { text: 'Put both on a beach' },
      { inlineData: { mimeType: 'image/png', data: first.toString('base64') } },
      { fileData: { mimeType: 'image/png', fileUri: 'files/abc' } },
    ] }],
    generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '1:1' } },
  };
  const response = await backend.generateContent(request, call({ resolveFile }));
  const sent = only();
  assert.equal(sent.path, '/v1/images/edits');
  assert.match(String(sent.headers['content-type']), /^multipart\/form-data; boundary=/);
  assert.deepEqual(sent.fields, [['model', 'gpt-image-1'], ['prompt', 'Put both on a beach'], ['n', '1'], ['size', '1024x1024'], ['response_format', 'b64_json']]);
  assert.deepEqual(sent.files.map((file) => [file.field, file.fileName, file.mimeType]), [['image[]', 'image-1.png', 'image/png'], ['image[]', 'image-2.png', 'image/png']]);
  assert.ok(sent.files[0]!.data.equals(first) && sent.files[1]!.data.equals(second), 'the bytes arrive unchanged');
  assert.deepEqual(response.candidates?.[0]?.content?.parts?.map((part) => Object.keys(part)), [['inlineData']], 'IMAGE only: no text part');
  decodePng(imagesOf(response)[0]!);

  fake.requests.length = 0;
  await backend.generateContent({ contents: [{ parts: [{ text: 'Make it blue' }, { inlineData: { mimeType: 'image/png', data: first.toString('base64') } }] }], generationConfig: { responseModalities: ['IMAGE'] } }, call());
  assert.deepEqual(only().files.map((file) => file.field), ['image']);
});

test('a chat-only route refuses image requests with INVALID_ARGUMENT saying how to enable images, sending nothing', async () => {
  const backend = backendFor();
  const refused = await failure(backend.generateContent(draw('a cat'), call()));
  assert.equal(refused.status, 'INVALID_ARGUMENT');
  assert.equal(refused.retryable, false);
  assert.match(refused.message, /chat-only/);
  assert.match(refused.message, /"images": true/);
  await assert.rejects(collect(backend.streamGenerateContent!(draw('a cat'), call())), { status: 'INVALID_ARGUMENT' });
  assert.equal(fake.requests.length, 0);
  // Text requests keep going to chat, on chat routes and image routes alike.
  for (const route of [backend, backendFor({ images: {} })]) {
    const answer = await route.generateContent({ contents: [{ parts: [{ text: 'hi' }] }] }, call());
    assert.equal(typeof answer.candidates?.[0]?.content?.parts?.[0]?.text, 'string');
  }
  assert.deepEqual(fake.requests.map((request) => request.path), ['/v1/chat/completions', '/v1/chat/completions']);
});

test('a route whose model draws by default sends requests naming no modalities to images; streaming yields one chunk', async () => {
  const backend = backendFor({ images: {}, imageModel: true });
  await backend.generateContent({ contents: [{ parts: [{ text: 'a fox' }] }] }, call());
  assert.equal(only().path, '/v1/images/generations');
  fake.requests.length = 0;
  const chunks = await collect(backend.streamGenerateContent!(draw('a fox'), call()));
  assert.equal(chunks.length, 1);
  decodePng(imagesOf(chunks[0]!)[0]!);
  await backend.generateContent(draw('describe a fox', { responseModalities: ['TEXT'] }), call());
  assert.equal(fake.requests.at(-1)?.path, '/v1/chat/completions');
});

test('failures: upstream 400 and 429 map as for chat; a url-only answer, an empty prompt and non-image media are refused', async () => {
  const backend = backendFor({ images: {} });
  fake.setHandler(() => ({ status: 400, json: { error: { message: 'Your request was rejected by the safety system', type: 'image_generation_user_error' } } }));
  const unsafe = await failure(backend.generateContent(draw('x'), call()));
  assert.deepEqual([unsafe.status, unsafe.retryable], ['INVALID_ARGUMENT', false]);
  assert.match(unsafe.message, /safety system/);
  fake.setHandler(() => ({ status: 429, json: { error: { message: 'slow down' } } }));
  const busy = await failure(backend.generateContent(draw('x'), call()));
  assert.deepEqual([busy.status, busy.retryable], ['RESOURCE_EXHAUSTED', true]);
  fake.setHandler(() => ({ json: { created: 1, data: [{ url: 'https://images.example/0.png' }] } }));
  const url = await failure(backend.generateContent(draw('x'), call()));
  assert.equal(url.status, 'INTERNAL');
  assert.match(url.message, /b64_json/);
  fake.setHandler(undefined);
  fake.requests.length = 0;
  const empty = await failure(backend.generateContent({ contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] }], generationConfig: { responseModalities: ['IMAGE'] } }, call()));
  assert.match(empty.message, /needs a text prompt/);
  const pdf = await failure(backend.generateContent({ contents: [{ parts: [{ text: 'draw this' }, { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } }] }], generationConfig: { responseModalities: ['IMAGE'] } }, call()));
  assert.equal(pdf.status, 'INVALID_ARGUMENT');
  assert.match(pdf.message, /application\/pdf/);
  assert.equal(fake.requests.length, 0, 'refused before any network');
});

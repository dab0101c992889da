/** The simulated image models: real PNGs as inlineData at the asked aspect ratio, deterministic, Gemini's image usage, refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentRequest, GenerateContentResponse, Part } from '../../core/gemini-types.js';
import { collect, failure } from '../testing/backend-test-kit.js';
import { pngSize } from './png.js';
import { IMAGE_OUTPUT_TOKENS } from './simulate-image-content.js';
import { ASPECT_RATIOS } from './simulated-image.js';
import { createSimulatedBackend } from './simulated-backend.js';
import { decodePng } from './testing/decode-png.js';

const signal = new AbortController().signal;
const backend = createSimulatedBackend();
const generate = (request: GenerateContentRequest, model = 'gemini-2.5-flash-image', on = backend): Promise<GenerateContentResponse> =>
  on.generateContent(request, { model, signal });
const draw = (text: string, generationConfig: Record<string, unknown> = { responseModalities: ['TEXT', 'IMAGE'] }): GenerateContentRequest => ({
  contents: [{ role: 'user', parts: [{ text }] }],
  generationConfig,
});
const partsOf = (response: GenerateContentResponse, candidate = 0): Part[] => response.candidates?.[candidate]?.content?.parts ?? [];
const imageOf = (response: GenerateContentResponse, candidate = 0): string => {
  const images = partsOf(response, candidate).filter((part) => part.inlineData !== undefined);
  assert.equal(images.length, 1, 'one image part');
  assert.equal(images[0]!.inlineData!.mimeType, 'image/png');
  return images[0]!.inlineData!.data!;
};

test('an image model answers TEXT+IMAGE with a short text and a decodable 256 px PNG, the same for the same request', async () => {
  const request = draw('A big letter A surrounded by animals starting with the A letter');
  const response = await generate(request);
  const parts = partsOf(response);
  assert.equal(parts.length, 2);
  assert.match(parts[0]!.text ?? '', /A big letter A/);
  const png = decodePng(imageOf(response));
  assert.deepEqual([png.width, png.height], [256, 256]);
  assert.ok(new Set(png.pixels).size > 16, 'a picture, not a blank');
  assert.equal(response.candidates?.[0]?.finishReason, 'STOP');
  assert.equal(response.modelVersion, 'gemini-2.5-flash-image');
  assert.deepEqual(await generate(structuredClone(request)), response, 'deterministic per request');
  const other = await generate(draw('A big letter B surrounded by animals starting with the B letter'));
  assert.notEqual(imageOf(other), imageOf(response));
  assert.notEqual(other.responseId, response.responseId);
});

test('usage counts 1290 output tokens per image, by modality, as Gemini reports it', async () => {
  const response = await generate(draw('A lighthouse at dusk', { responseModalities: ['TEXT', 'IMAGE'], candidateCount: 2 }));
  assert.equal(response.candidates?.length, 2);
  assert.notEqual(imageOf(response, 0), imageOf(response, 1), 'each candidate its own image');
  const usage = response.usageMetadata!;
  const details = usage.candidatesTokensDetails as { modality: string; tokenCount: number }[];
  const image = details.find((detail) => detail.modality === 'IMAGE');
  const text = details.find((detail) => detail.modality === 'TEXT');
  assert.equal(image?.tokenCount, 2 * IMAGE_OUTPUT_TOKENS);
  assert.ok((text?.tokenCount ?? 0) > 0);
  assert.equal(usage.candidatesTokenCount, image.tokenCount + text!.tokenCount);
  assert.equal(usage.totalTokenCount, (usage.promptTokenCount ?? 0) + (usage.candidatesTokenCount ?? 0));
  assert.deepEqual(usage.promptTokensDetails, [{ modality: 'TEXT', tokenCount: usage.promptTokenCount }]);
});

test('every Gemini aspect ratio gives its shape (camelCase or snake_case imageConfig), long side = imageSize', async () => {
  const sized = createSimulatedBackend({ imageSize: 96 });
  for (const [ratio, [across, down]] of ASPECT_RATIOS) {
    for (const imageConfig of [{ aspectRatio: ratio }, { aspect_ratio: ratio }]) {
      const response = await generate(draw(`a ${ratio} scene`, { responseModalities: ['IMAGE'], imageConfig }), 'gemini-3-pro-image-preview', sized);
      const { width, height } = decodePng(imageOf(response));
      assert.equal(Math.max(width, height), 96, ratio);
      assert.ok(Math.abs(width / height - across / down) < 0.02, `${ratio}: ${width}x${height}`);
    }
  }
  const big = createSimulatedBackend({ imageSize: 1024 });
  assert.deepEqual(pngSize(Buffer.from(imageOf(await generate(draw('wide', { imageConfig: { aspectRatio: '16:9' } }), undefined, big)), 'base64')), { width: 1024, height: 576 });
  assert.throws(() => createSimulatedBackend({ imageSize: 8 }), RangeError);
  assert.throws(() => createSimulatedBackend({ imageSize: 5000 }), RangeError);
});

test('modalities: IMAGE alone has no text, none named means text and image, TEXT alone is text', async () => {
  const imageOnly = await generate(draw('a cat', { responseModalities: ['IMAGE'] }));
  assert.deepEqual(partsOf(imageOnly).map((part) => Object.keys(part)), [['inlineData']]);
  assert.equal((imageOnly.usageMetadata?.candidatesTokensDetails as unknown[]).length, 1);
  const byDefault = await generate({ contents: [{ parts: [{ text: 'a cat' }] }] });
  assert.deepEqual(partsOf(byDefault).map((part) => Object.keys(part)[0]), ['text', 'inlineData']);
  const textOnly = await generate(draw('describe a cat', { responseModalities: ['TEXT'] }));
  assert.ok(partsOf(textOnly).every((part) => part.inlineData === undefined && typeof part.text === 'string'));
  const lowerCase = await generate(draw('a cat', { responseModalities: ['image'] }));
  assert.equal(partsOf(lowerCase).length, 1);
});

test('IMAGE asked of a text-only model fails the call with INVALID_ARGUMENT; a route marked as image model draws', async () => {
  const refused = await failure(generate(draw('a cat'), 'gemini-2.5-flash'));
  assert.equal(refused.status, 'INVALID_ARGUMENT');
  assert.equal(refused.retryable, false);
  assert.match(refused.message, /does not support the requested response modalities: image/);
  const marked = createSimulatedBackend({ imageModel: true });
  decodePng(imageOf(await generate(draw('a cat'), 'my-painter', marked)));
  // A text model without IMAGE asked keeps answering text; unknown names that look like image models draw.
  assert.equal(typeof partsOf(await generate(draw('hi', {}), 'gemini-2.5-flash'))[0]?.text, 'string');
  decodePng(imageOf(await generate(draw('a cat'), 'gemini-2.5-flash-image-preview')));
});

test('an aspect ratio Gemini does not offer is INVALID_ARGUMENT; thinking image models report thoughts', async () => {
  const refused = await failure(generate(draw('a cat', { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '7:3' } })));
  assert.equal(refused.status, 'INVALID_ARGUMENT');
  assert.match(refused.message, /aspectRatio "7:3" is not supported; use one of 1:1, 2:3/);
  const pro = await generate(draw('a cat'), 'gemini-3-pro-image-preview');
  assert.ok((pro.usageMetadata?.thoughtsTokenCount ?? 0) > 0);
  assert.equal((await generate(draw('a cat'))).usageMetadata?.thoughtsTokenCount, undefined);
});

test('streaming an image request yields the whole answer in one chunk', async () => {
  const request = draw('a streamed cat');
  const chunks = await collect(backend.streamGenerateContent!(request, { model: 'gemini-2.5-flash-image', signal }));
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0], await generate(request));
});

/** The upstream Gemini backend passes image requests (responseModalities, imageConfig, input images) and image answers through unchanged. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentRequest, GenerateContentResponse } from '../../core/gemini-types.js';
import { renderImage } from '../simulated/simulated-image.js';
import { decodePng } from '../simulated/testing/decode-png.js';
import { collect } from '../testing/backend-test-kit.js';
import { call, useFakeGemini } from './testing/gemini-test-kit.js';

const gemini = useFakeGemini();
const MODEL = 'gemini-2.5-flash-image';

const input = renderImage(7, 64, 48).toString('base64');
const request: GenerateContentRequest = {
  contents: [{ role: 'user', parts: [{ text: 'Put this cat on a beach' }, { inlineData: { mimeType: 'image/png', data: input } }] }],
  systemInstruction: { parts: [{ text: 'Photorealistic.' }] },
  generationConfig: { responseModalities: ['TEXT', 'IMAGE'], candidateCount: 1, imageConfig: { aspectRatio: '16:9', imageSize: '2K' } },
};
// A realistic answer: a 1024x576 PNG of ~200 KiB, Gemini's usage fields for images.
const answer: GenerateContentResponse = {
  candidates: [{
    content: { role: 'model', parts: [{ text: 'Here is the cat on a beach.' }, { inlineData: { mimeType: 'image/png', data: renderImage(8, 1024, 576).toString('base64') } }] },
    finishReason: 'STOP',
    index: 0,
  }],
  usageMetadata: {
    promptTokenCount: 270, candidatesTokenCount: 1297, totalTokenCount: 1567,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 12 }, { modality: 'IMAGE', tokenCount: 258 }],
    candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 7 }, { modality: 'IMAGE', tokenCount: 1290 }],
  },
  modelVersion: MODEL,
  responseId: 'img-response-1',
};

test('an image request goes upstream unchanged and its inlineData answer comes back unchanged', async () => {
  gemini.fake.replyNext({ status: 200, json: answer });
  const response = await gemini.backendFor().generateContent(structuredClone(request), call(undefined, MODEL));
  const received = gemini.fake.received.at(-1)!;
  assert.equal(received.rejected, undefined);
  assert.equal(received.path, `/v1beta/models/${MODEL}:generateContent`);
  assert.deepEqual(received.body, request);
  assert.deepEqual(response, answer);
  const image = response.candidates?.[0]?.content?.parts?.[1]?.inlineData?.data ?? '';
  assert.deepEqual([decodePng(image).width, decodePng(image).height], [1024, 576]);
});

test('streamed image answers pass through chunk by chunk', async () => {
  const [first, second] = answer.candidates![0]!.content!.parts!;
  const events = [
    { candidates: [{ content: { role: 'model', parts: [first] }, index: 0 }], modelVersion: MODEL, responseId: 'img-stream' },
    { candidates: [{ content: { role: 'model', parts: [second] }, finishReason: 'STOP', index: 0 }], usageMetadata: answer.usageMetadata, modelVersion: MODEL, responseId: 'img-stream' },
  ];
  gemini.fake.replyNext({ events });
  const chunks = await collect(gemini.backendFor().streamGenerateContent!(structuredClone(request), call(undefined, MODEL)));
  assert.equal(gemini.fake.received.at(-1)!.path, `/v1beta/models/${MODEL}:streamGenerateContent`);
  assert.deepEqual(gemini.fake.received.at(-1)!.body, request);
  assert.deepEqual(chunks, events);
});

test("upstream's refusal of IMAGE from a text model reaches the caller as its INVALID_ARGUMENT", async () => {
  gemini.fake.replyNext({ status: 400, json: { error: { code: 400, message: 'Model does not support the requested response modalities: image', status: 'INVALID_ARGUMENT' } } });
  await assert.rejects(gemini.backendFor().generateContent(structuredClone(request), call()), (error: unknown) => {
    assert.equal((error as { status?: string }).status, 'INVALID_ARGUMENT');
    assert.match((error as Error).message, /response modalities: image/);
    return true;
  });
});

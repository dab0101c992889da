import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmbedContentRequest } from '../../core/gemini-types.js';
import { createSimulatedBackend } from './simulated-backend.js';
import { SIMULATED_MODELS } from './simulated-models.js';

const backend = createSimulatedBackend();
const embed = async (request: Partial<EmbedContentRequest> & { text?: string }, model = 'gemini-embedding-001'): Promise<number[]> => {
  const { text = 'hello world', ...rest } = request;
  const response = await backend.embedContent!({ content: { parts: [{ text }] }, ...rest }, { model, signal: new AbortController().signal });
  return response.embedding.values;
};
const dot = (left: number[], right: number[]): number => left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

test('embeddings have the model or requested dimension and unit length', async () => {
  assert.equal((await embed({})).length, 3072);
  assert.equal((await embed({}, 'text-embedding-004')).length, 768);
  const short = await embed({ outputDimensionality: 256 });
  assert.equal(short.length, 256);
  for (const vector of [await embed({}), short, await embed({ outputDimensionality: 1 })]) {
    assert.ok(Math.abs(Math.sqrt(dot(vector, vector)) - 1) < 1e-6);
  }
});

test('the same input gives the same vector; other texts or task types give different ones', async () => {
  const first = await embed({ text: 'the cat sat' });
  assert.deepEqual(await embed({ text: 'the cat sat' }), first);
  assert.ok(Math.abs(dot(first, await embed({ text: 'the dog ran' }))) < 0.2);
  assert.ok(Math.abs(dot(first, await embed({ text: 'the cat sat', taskType: 'RETRIEVAL_QUERY' }))) < 0.2);
  const short = await embed({ text: 'the cat sat', outputDimensionality: 512 });
  const prefixNorm = Math.sqrt(dot(first.slice(0, 512), first.slice(0, 512)));
  assert.ok(dot(short, first.slice(0, 512)) / prefixNorm > 0.999, 'a shorter vector is the normalised prefix');
});

test('bad dimensions and empty content are INVALID_ARGUMENT', async () => {
  for (const outputDimensionality of [0, 3073, 1.5]) {
    await assert.rejects(embed({ outputDimensionality }), { status: 'INVALID_ARGUMENT', retryable: false });
  }
  const signal = new AbortController().signal;
  await assert.rejects(backend.embedContent!({ content: { parts: [] } }, { model: 'text-embedding-004', signal }), { status: 'INVALID_ARGUMENT' });
});

test('the built-in catalogue lists generation and embedding models as Model resources', () => {
  const byId = new Map(SIMULATED_MODELS.map((model) => [model.baseModelId, model]));
  for (const id of ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-3-flash-preview', 'gemini-3-pro-preview', 'gemini-2.0-flash']) {
    const model = byId.get(id);
    assert.equal(model?.name, `models/${id}`);
    assert.ok(model.supportedGenerationMethods.includes('batchGenerateContent'));
    assert.deepEqual([model.temperature, model.maxTemperature, model.topP, model.topK], [1, 2, 0.95, 64]);
    assert.equal(model.thinking, id === 'gemini-2.0-flash' ? undefined : true);
  }
  for (const id of ['gemini-embedding-001', 'text-embedding-004']) {
    assert.deepEqual(byId.get(id)?.supportedGenerationMethods, ['embedContent', 'batchEmbedContents', 'asyncBatchEmbedContent', 'countTokens']);
  }
});

// Tests of the embeddings translation: inputs → one EmbedContentRequest each, dimensions, encoding, refusals; the list answer, float and base64.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { geminiToEmbeddingList } from './embedding-list.js';
import { embeddingsRequestToGemini } from './embeddings-request.js';
import { refusal } from './testing/refusal.js';

describe('embeddingsRequestToGemini', () => {
  test('a string or a list of strings: one request per input, dimensions → outputDimensionality, encoding as asked', () => {
    assert.deepEqual(embeddingsRequestToGemini({ model: 'models/gemini-embedding-001', input: 'hello' }), {
      model: 'gemini-embedding-001',
      requests: [{ content: { parts: [{ text: 'hello' }] } }],
      encodingFormat: 'float',
    });
    assert.deepEqual(embeddingsRequestToGemini({ model: 'e', input: ['a', 'b'], dimensions: 256, encoding_format: 'base64', user: 'u' }), {
      model: 'e',
      requests: [
        { content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 },
        { content: { parts: [{ text: 'b' }] }, outputDimensionality: 256 },
      ],
      encodingFormat: 'base64',
    });
  });

  test('token arrays, empty inputs, bad dimensions and encodings are refused naming the param', () => {
    const tokens = refusal(() => embeddingsRequestToGemini({ model: 'e', input: [1, 2, 3] }));
    assert.equal(tokens.param, 'input');
    assert.match(tokens.message, /token arrays are not supported/);
    assert.equal(refusal(() => embeddingsRequestToGemini({ model: 'e', input: [[1, 2]] })).param, 'input');
    assert.equal(refusal(() => embeddingsRequestToGemini({ model: 'e', input: ['a', 7] })).param, 'input[1]');
    assert.equal(refusal(() => embeddingsRequestToGemini({ model: 'e', input: '' })).param, 'input');
    assert.equal(refusal(() => embeddingsRequestToGemini({ model: 'e', input: [] })).param, 'input');
    assert.equal(refusal(() => embeddingsRequestToGemini({ model: 'e' })).code, 'missing_required_parameter');
    assert.equal(refusal(() => embeddingsRequestToGemini({ model: 'e', input: 'a', dimensions: 0 })).param, 'dimensions');
    assert.equal(refusal(() => embeddingsRequestToGemini({ model: 'e', input: 'a', encoding_format: 'int8' })).param, 'encoding_format');
    assert.equal(refusal(() => embeddingsRequestToGemini({ input: 'a' })).param, 'model');
  });
});

describe('geminiToEmbeddingList', () => {
  const responses = [{ embedding: { values: [0.5, -1.25] } }, { embedding: { values: [3] } }];

  test('floats: the list with indexes, the model and the usage', () => {
    assert.deepEqual(geminiToEmbeddingList(responses, { model: 'e', encodingFormat: 'float', promptTokens: 4 }), {
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1.25] },
        { object: 'embedding', index: 1, embedding: [3] },
      ],
      model: 'e',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
  });

  test('base64: little-endian float32 bytes, as the openai SDK decodes them', () => {
    const list = geminiToEmbeddingList(responses, { model: 'e', encodingFormat: 'base64', promptTokens: 4 }) as { data: { embedding: string }[] };
    const decode = (base64: string) => {
      const bytes = Buffer.from(base64, 'base64');
      return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    };
    assert.deepEqual(list.data.map((item) => decode(item.embedding)), [[0.5, -1.25], [3]]);
    assert.equal(list.data[0]?.embedding, Buffer.from(new Float32Array([0.5, -1.25]).buffer).toString('base64'));
  });
});

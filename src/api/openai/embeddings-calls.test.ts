import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EmbedContentRequest } from '../../core/gemini-types.js';
import { embedEach } from './embeddings-calls.js';

const requests = (count: number): EmbedContentRequest[] =>
  Array.from({ length: count }, (_, index) => ({ content: { parts: [{ text: `input ${index}` }] } }));
const textOf = (request: EmbedContentRequest): string => request.content.parts?.[0]?.text ?? '';

describe('embedEach', () => {
  test('answers in input order, never more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await embedEach(requests(20), async (request) => {
      running++;
      peak = Math.max(peak, running);
      // Later inputs finish first, so order comes from the index, not from completion.
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return { embedding: { values: [Number(textOf(request).split(' ')[1])] } };
    }, new AbortController().signal, 3);
    assert.deepEqual(results.map((result) => result.embedding.values[0]), Array.from({ length: 20 }, (_, index) => index));
    assert.equal(peak, 3);
  });

  test('the first failure rejects, aborts the calls in flight and starts no more', async () => {
    const started: string[] = [];
    const aborted: string[] = [];
    const failure = new Error('backend says no');
    const promise = embedEach(requests(10), (request, signal) => {
      const text = textOf(request);
      started.push(text);
      if (text === 'input 1') return Promise.reject(failure);
      return new Promise((_, reject) => signal.addEventListener('abort', () => {
        aborted.push(text);
        reject(signal.reason as Error);
      }));
    }, new AbortController().signal, 4);
    await assert.rejects(promise, (error) => error === failure);
    assert.deepEqual(started, ['input 0', 'input 1', 'input 2', 'input 3']);
    assert.deepEqual(aborted.sort(), ['input 0', 'input 2', 'input 3']);
  });

  test('the client going away aborts every call', async () => {
    const client = new AbortController();
    const promise = embedEach(requests(3), (_, signal) => new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')));
    }), client.signal);
    client.abort();
    await assert.rejects(promise, /aborted/);
  });

  test('no inputs, no calls', async () => {
    assert.deepEqual(await embedEach([], () => assert.fail('called'), new AbortController().signal), []);
  });
});

// Tests of usage sums and the cost estimate, the cached-input price included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addEncodedUsage, addUsage, decodeUsage, emptyUsage, encodeUsage, estimateCost } from './usage.js';

const usage = (prompt: number, cached: number, output: number) => ({
  promptTokenCount: prompt, cachedContentTokenCount: cached, candidatesTokenCount: output, thoughtsTokenCount: 0, totalTokenCount: prompt + output,
});

test('without a cached-input price, cached tokens cost the input price', () => {
  const pricing = { inputPerMillion: 0.3, outputPerMillion: 2.5, batchDiscount: 0.5 };
  assert.equal(estimateCost(usage(1_000_000, 800_000, 100_000), pricing), ((1_000_000 * 0.3 + 100_000 * 2.5) / 1e6) * 0.5);
});

test('the cached part of the prompt is billed at the cached-input price, the rest at the input price', () => {
  const pricing = { inputPerMillion: 0.3, cachedInputPerMillion: 0.03, outputPerMillion: 2.5, batchDiscount: 0.5 };
  const expected = ((200_000 * 0.3 + 800_000 * 0.03 + 100_000 * 2.5) / 1e6) * 0.5;
  assert.equal(estimateCost(usage(1_000_000, 800_000, 100_000), pricing), Math.round(expected * 1e6) / 1e6);
  // A backend reporting more cached tokens than prompt tokens never makes the input negative.
  assert.equal(estimateCost(usage(1_000, 5_000, 0), pricing), Math.round(((1_000 * 0.03) / 1e6) * 0.5 * 1e6) / 1e6);
});

test('usage adds up and survives the shard-log encoding', () => {
  const total = emptyUsage();
  addUsage(total, usage(10, 4, 3));
  addUsage(total, { promptTokenCount: 5 });
  assert.deepEqual(total, { promptTokenCount: 15, cachedContentTokenCount: 4, candidatesTokenCount: 3, thoughtsTokenCount: 0, totalTokenCount: 13 });
  assert.deepEqual(decodeUsage(encodeUsage(total)), total);
  assert.equal(decodeUsage(''), undefined);
});

test('encoded usage is added straight from the bytes; anything else adds nothing', () => {
  const total = emptyUsage();
  const bytes = Buffer.from(`x\t${encodeUsage(usage(10, 4, 3))}\ty`);
  assert.equal(addEncodedUsage(total, bytes, 2, bytes.length - 2), true);
  assert.equal(addEncodedUsage(total, Buffer.from('1,2,3,4,5'), 0, 9), true);
  assert.deepEqual(total, { promptTokenCount: 11, cachedContentTokenCount: 8, candidatesTokenCount: 5, thoughtsTokenCount: 3, totalTokenCount: 18 });
  for (const text of ['', '1,2,3,4', '1,2,3,4,5,6', '1,,3,4,5', '1,2,3,4,', '1.5,2,3,4,5', 'NaN,0,0,0,0', '-1,0,0,0,0']) {
    assert.equal(addEncodedUsage(total, Buffer.from(text), 0, text.length), false, text);
  }
  assert.equal(total.totalTokenCount, 18, 'a rejected field adds nothing');
});

test('tool-use prompt tokens (in the total, not in promptTokenCount) are billed as input', () => {
  const pricing = { inputPerMillion: 1, outputPerMillion: 2, batchDiscount: 0 };
  // 100 prompt + 400 tool-use context + 50 output = 550 total, as Gemini reports grounding.
  const grounded = { promptTokenCount: 100, cachedContentTokenCount: 0, candidatesTokenCount: 50, thoughtsTokenCount: 0, totalTokenCount: 550 };
  assert.equal(estimateCost(grounded, pricing), (500 * 1 + 50 * 2) / 1e6);
});

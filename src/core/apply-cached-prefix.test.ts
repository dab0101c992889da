import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyCachedPrefix } from './apply-cached-prefix.js';
import type { CachedContentRecord } from './cached-content.js';
import type { GenerateContentRequest } from './gemini-types.js';

const cache: CachedContentRecord = {
  id: 'c1', tenantId: 't1', model: 'gemini-2.5-flash', displayName: '',
  prefix: {
    systemInstruction: { parts: [{ text: 'sys' }] },
    contents: [{ role: 'user', parts: [{ text: 'doc' }] }, { role: 'model', parts: [{ text: 'ok' }] }],
    tools: [{ functionDeclarations: [{ name: 'lookup' }] }],
    toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
  },
  totalTokenCount: 3, createTimeMs: 0, updateTimeMs: 0, expireTimeMs: 1,
};
const ask: GenerateContentRequest = {
  contents: [{ role: 'user', parts: [{ text: 'q' }] }],
  cachedContent: 'cachedContents/c1',
  generationConfig: { temperature: 0 },
};

test('the prefix goes first, the cache name goes away, the rest of the request stays', () => {
  assert.deepEqual(applyCachedPrefix(ask, cache, 'gemini-2.5-flash'), {
    systemInstruction: { parts: [{ text: 'sys' }] },
    contents: [{ role: 'user', parts: [{ text: 'doc' }] }, { role: 'model', parts: [{ text: 'ok' }] }, { role: 'user', parts: [{ text: 'q' }] }],
    tools: [{ functionDeclarations: [{ name: 'lookup' }] }],
    toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    generationConfig: { temperature: 0 },
  });
  assert.equal(ask.contents.length, 1, 'the request given is not changed');
});

test('a cache with contents only adds no system instruction or tools', () => {
  const contentsOnly = { ...cache, prefix: { contents: [{ role: 'user', parts: [{ text: 'doc' }] }] } };
  assert.deepEqual(Object.keys(applyCachedPrefix(ask, contentsOnly, 'gemini-2.5-flash')).sort(), ['contents', 'generationConfig']);
});

test("Gemini's refusals: another model, or the request's own systemInstruction, tools or toolConfig", () => {
  assert.throws(() => applyCachedPrefix(ask, cache, 'gemini-2.5-pro'), /\(models\/gemini-2\.5-pro\) and CachedContent \(models\/gemini-2\.5-flash\) has to be the same/);
  for (const own of [{ systemInstruction: { parts: [{ text: 'x' }] } }, { tools: [] }, { toolConfig: {} }]) {
    assert.throws(() => applyCachedPrefix({ ...ask, ...own }, cache, 'gemini-2.5-flash'), /system_instruction, tools or tool_config/);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerateContentRequest } from './gemini-types.js';
import { prefixKey } from './prefix-key.js';

const user = (...texts: string[]) => ({ role: 'user', parts: texts.map((text) => ({ text })) });
const ask = (question: string, extra: Partial<GenerateContentRequest> = {}): GenerateContentRequest => ({ contents: [user(question)], ...extra });

test('a single-part prompt has no key, and getting that answer serializes nothing', (t) => {
  const stringify = t.mock.method(JSON, 'stringify');
  assert.equal(prefixKey(ask('hello'), 'generate'), undefined);
  assert.equal(prefixKey(ask('hello', { generationConfig: { temperature: 0 }, cachedContent: '', tools: [], toolConfig: {} }), 'generate'), undefined);
  assert.equal(prefixKey(ask('hello', { systemInstruction: { parts: [] } }), 'generate'), undefined);
  assert.equal(stringify.mock.callCount(), 0);
});

test('requests sharing a system instruction share a key; the last part (the question) does not matter', () => {
  const system = { systemInstruction: { parts: [{ text: 'You are a careful assistant.' }] } };
  const a = prefixKey(ask('first question', system), 'generate');
  const b = prefixKey(ask('second question', { ...system, generationConfig: { temperature: 1 } }), 'generate');
  assert.ok(a !== undefined);
  assert.match(a, /^[A-Za-z0-9_-]{16}$/);
  assert.equal(a, b);
  assert.notEqual(prefixKey(ask('first question', { systemInstruction: { parts: [{ text: 'Another assistant.' }] } }), 'generate'), a);
});

test('each piece of the leading prefix counts: cache, tools, tool config, earlier turns, leading parts', () => {
  const keys = [
    prefixKey(ask('q', { cachedContent: 'cachedContents/c1' }), 'generate'),
    prefixKey(ask('q', { cachedContent: 'cachedContents/c2' }), 'generate'),
    prefixKey(ask('q', { tools: [{ functionDeclarations: [{ name: 'lookup' }] }] }), 'generate'),
    prefixKey(ask('q', { toolConfig: { functionCallingConfig: { mode: 'ANY' } } }), 'generate'),
    prefixKey({ contents: [user('document'), { role: 'model', parts: [{ text: 'ok' }] }, user('q')] }, 'generate'),
    prefixKey({ contents: [user('document', 'q')] }, 'generate'),
  ];
  for (const key of keys) assert.ok(key !== undefined);
  assert.equal(new Set(keys).size, keys.length, 'all different');
  // Earlier turns and leading parts are the prefix; the last part is not.
  assert.equal(prefixKey({ contents: [user('document'), user('other q')] }, 'generate'), prefixKey({ contents: [user('document'), user('q')] }, 'generate'));
  assert.equal(prefixKey({ contents: [user('document', 'other q')] }, 'generate'), keys[5]);
  assert.notEqual(prefixKey({ contents: [user('document', 'q')] }, 'generate'), prefixKey({ contents: [user('document'), user('q')] }, 'generate'));
});

test('embed requests have no key', () => {
  assert.equal(prefixKey({ content: user('a', 'b') }, 'embed'), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toOpenAIModel } from './model-object.js';

test('a Gemini Model resource as an OpenAI model object, with Google\'s id', () => {
  assert.deepEqual(toOpenAIModel({ name: 'models/gemini-2.5-flash' }), { id: 'models/gemini-2.5-flash', object: 'model', created: 0, owned_by: 'google' });
  assert.equal(toOpenAIModel({ name: 'gemini-2.5-pro' }).id, 'models/gemini-2.5-pro');
});
